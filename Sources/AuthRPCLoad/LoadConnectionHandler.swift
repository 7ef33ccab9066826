import NIOCore
import Synchronization
import Wire

/// Tells a load connection to begin sending (every connection is set up by then).
struct StartLoad {}

/// Tells a load connection the run is over.
struct StopLoad {}

/// Counters the progress line reads from another thread.
final class SharedProgress: Sendable {
    let answered = Atomic<Int>(0)
}

/// Drives one connection: keeps `depth` requests outstanding (closed loop) or sends
/// on a fixed schedule (open loop), and records each answer's latency.
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundFrame
    typealias OutboundOut = ByteBuffer

    struct Settings {
        var templates: [RequestTemplate]
        /// Where in `templates` this connection starts, so connections don't all send the same token at once.
        var firstTemplate: Int
        var depth: Int
        /// Open loop: nanoseconds between this connection's sends.
        var intervalNanos: UInt64?
        /// Requests this connection sends at most.
        var quota: Int?
    }

    private let settings: Settings
    private let stats: LoopStats
    private let progress: SharedProgress
    private let finished: EventLoopPromise<Void>

    private var nextID: UInt64 = 1
    private var nextTemplate: Int
    /// Send time (or scheduled time, open loop) and template of each outstanding request, by id.
    private var started: [UInt64: Outstanding] = [:]
    private var sentCount = 0
    private var stopping = false
    private var openLoopStart: UInt64 = 0
    private var ticker: RepeatedTask?

    init(settings: Settings, stats: LoopStats, progress: SharedProgress, finished: EventLoopPromise<Void>) {
        self.settings = settings
        self.stats = stats
        self.progress = progress
        self.finished = finished
        self.nextTemplate = settings.firstTemplate % max(settings.templates.count, 1)
        started.reserveCapacity(settings.depth * 2)
    }

    private func start(context: ChannelHandlerContext) {
        if let interval = settings.intervalNanos {
            openLoopStart = Self.now()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            // Tick often enough that a send is never late by much more than its own interval.
            let tick = TimeAmount.nanoseconds(Int64(min(max(interval, 50_000), 1_000_000)))
            ticker = context.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: tick) { _ in
                let (handler, context) = loopBound.value
                handler.sendDue(context: context, interval: interval)
            }
        } else {
            for _ in 0..<settings.depth { sendOne(context: context, startedAt: Self.now()) }
            context.flush()
        }
    }

    /// Start sending (on `StartLoad`); stop (on `StopLoad`), and close once every
    /// outstanding request is answered.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is StartLoad, context.channel.isActive {
            return start(context: context)
        }
        guard event is StopLoad else { return context.fireUserInboundEventTriggered(event) }
        stopping = true
        ticker?.cancel()
        finishIfDone(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = Self.now()
        guard case .frame(let bytes) = unwrapInboundIn(data), let response = try? ResponseHead.decode(bytes),
              let outstanding = started.removeValue(forKey: response.id) else {
            stats.connectionErrors += 1
            context.close(promise: nil)
            return
        }
        stats.record(response, latencyNanos: now &- outstanding.sentAt,
                     expectedErrorType: settings.templates[outstanding.template].expectedErrorType)
        progress.answered.add(1, ordering: .relaxed)
        if settings.intervalNanos == nil && !stopping {
            sendOne(context: context, startedAt: Self.now())
        }
        finishIfDone(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ticker?.cancel()
        if !stopping || !started.isEmpty { stats.connectionErrors += 1 }
        started.removeAll()
        finished.succeed(())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func sendDue(context: ChannelHandlerContext, interval: UInt64) {
        guard !stopping else { return }
        let due = Int((Self.now() &- openLoopStart) / interval) + 1
        while sentCount < due && !stopping {
            sendOne(context: context, startedAt: openLoopStart &+ UInt64(sentCount) &* interval)
        }
        context.flush()
    }

    private func sendOne(context: ChannelHandlerContext, startedAt: UInt64) {
        if let quota = settings.quota, sentCount >= quota {
            stopping = true
            return
        }
        let templateIndex = nextTemplate
        let template = settings.templates[templateIndex]
        nextTemplate = nextTemplate + 1 == settings.templates.count ? 0 : nextTemplate + 1
        let id = nextID
        nextID += 1
        var buffer = context.channel.allocator.buffer(capacity: template.frameSizeHint)
        template.writeFrame(id: id, into: &buffer)
        started[id] = Outstanding(sentAt: startedAt, template: templateIndex)
        sentCount += 1
        stats.sent += 1
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func finishIfDone(context: ChannelHandlerContext) {
        if stopping && started.isEmpty {
            context.close(promise: nil)
        }
    }

    private static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}

/// A request sent and not yet answered.
private struct Outstanding {
    var sentAt: UInt64
    var template: Int
}
