import AuthRPCClient
import Foundation
import Histogram
import NIOCore
import NIOPosix
import Wire

/// Runs a `LoadPlan` against a server and reports what it measured.
public enum LoadGenerator {
    public struct PlanError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(_ plan: LoadPlan, group: any EventLoopGroup) async throws -> LoadReport {
        guard !plan.templates.isEmpty else { throw PlanError(description: "no requests to send") }
        guard plan.connections > 0, plan.depth > 0 else { throw PlanError(description: "connections and depth must be positive") }

        let loops = Array(group.makeIterator())
        var statsByLoop: [ObjectIdentifier: LoopStats] = [:]
        for loop in loops {
            statsByLoop[ObjectIdentifier(loop)] = LoopStats()
        }
        let progress = SharedProgress()
        let perConnectionInterval = plan.rate.map { UInt64(1e9 * Double(plan.connections) / $0) }
        let quotas = plan.requestLimit.map { limit in
            (0..<plan.connections).map { limit / plan.connections + ($0 < limit % plan.connections ? 1 : 0) }
        }

        // Every connection is set up (and its TLS handshake done) before any sends, so
        // the figures are those of established connections.
        var channels: [any Channel] = []
        var finishedFutures: [EventLoopFuture<Void>] = []
        for index in 0..<plan.connections {
            let loop = loops[index % loops.count]
            let stats = statsByLoop[ObjectIdentifier(loop)]!
            let finished = loop.makePromise(of: Void.self)
            let ready = loop.makePromise(of: Void.self)
            let settings = LoadConnectionHandler.Settings(
                templates: plan.templates, firstTemplate: index * 7919, depth: plan.depth,
                intervalNanos: perConnectionInterval, quota: quotas?[index])
            let tls = plan.tls, host = plan.host
            let channel: any Channel
            do {
                channel = try await ClientBootstrap(group: loop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let sync = channel.pipeline.syncOperations
                            if let tls {
                                try sync.addHandlers(tls.makeHandlers(host: host, ready: ready, handshakeTimeout: .seconds(10)))
                            } else {
                                ready.succeed()
                            }
                            try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: 16 << 20)))
                            try sync.addHandler(
                                LoadConnectionHandler(settings: settings, stats: stats, progress: progress, finished: finished))
                        }
                    }
                    .connect(host: plan.host, port: plan.port).get()
            } catch {
                ready.fail(error)
                finished.succeed(())
                for channel in channels { channel.close(promise: nil) }
                throw error
            }
            channels.append(channel)
            finishedFutures.append(finished.futureResult)
            do {
                try await ready.futureResult.get()
            } catch {
                for channel in channels { channel.close(promise: nil) }
                throw error
            }
        }
        let began = ContinuousClock.now
        for channel in channels { channel.pipeline.fireUserInboundEventTriggered(StartLoad()) }

        let reporter = plan.progress ? Task { await reportProgress(progress, began: began) } : nil
        if plan.requestLimit == nil {
            try? await Task.sleep(for: plan.duration)
            for channel in channels { channel.pipeline.fireUserInboundEventTriggered(StopLoad()) }
        }
        // Let outstanding answers arrive; then whatever is still open has lost them.
        let drained = EventLoopFuture.andAllComplete(finishedFutures, on: loops[0])
        let drainTimeout = Task {
            try await Task.sleep(for: plan.requestLimit == nil ? .seconds(10) : .seconds(3600))
            for channel in channels { channel.close(promise: nil) }
        }
        try? await drained.get()
        drainTimeout.cancel()
        let elapsed = ContinuousClock.now - began
        reporter?.cancel()
        await reporter?.value  // its last line is drawn before the newline that ends it
        if plan.progress { FileHandle.standardError.write(Data("\n".utf8)) }

        var report = LoadReport(
            elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            sent: 0, answered: 0, lost: 0, connectionErrors: 0, unexpected: 0, outcomes: [:],
            latency: Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
                                       numberOfSignificantValueDigits: .three),
            connections: plan.connections, depth: plan.rate == nil ? plan.depth : nil, rate: plan.rate)
        for loop in loops {
            let stats = statsByLoop[ObjectIdentifier(loop)]!
            let snapshot = try await loop.submit {
                (stats.sent, stats.answered, stats.connectionErrors, stats.outcomes, stats.latency, stats.unexpected)
            }.get()
            report.sent += snapshot.0
            report.answered += snapshot.1
            report.connectionErrors += snapshot.2
            report.outcomes.merge(snapshot.3, uniquingKeysWith: +)
            report.latency.add(snapshot.4)
            report.unexpected += snapshot.5
        }
        report.lost = report.sent - report.answered
        return report
    }

    private static func reportProgress(_ progress: SharedProgress, began: ContinuousClock.Instant) async {
        var last = 0
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(1)) } catch { return }
            let now = progress.answered.load(ordering: .relaxed)
            let seconds = (ContinuousClock.now - began).components.seconds
            FileHandle.standardError.write(Data("\r[\(seconds)s] answered \(now)  (\(now - last)/s)   ".utf8))
            last = now
        }
    }
}
