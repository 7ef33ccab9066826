import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LoopExecutor
import NIOCore
import NIOPosix
import Synchronization
import VerifyProto

/// `grpc-load --target HOST:PORT --tokens FILE [--connections N] [--concurrency D]
/// [--duration S] [--json] [--executor loop|nio|default] [--flush-coalescing on|off]`:
/// closed-loop VerifyToken load on the grpc-peer. N clients, each
/// its own HTTP/2 connection (one subchannel), each with D calls in flight at all times
/// (D tasks calling one after the other: HTTP/2 streams are gRPC's pipelining). Tokens
/// are taken in turn from FILE, one per line (one line = one repeated token). Every
/// connection answers one call before the clock starts. Latency is from the call to its
/// answer, per call; with N=1, D=1 it is the depth-1 round trip. Prints the same JSON
/// fields as `authrpc bench verify --json`. Runs on one NIO event loop; its tasks run there
/// too, as a task executor preference (`loop`, the default, as `grpc-peer`), or with NIO
/// installed as Swift's global executor (`nio`: a job per hop, as before 2026-12), or on
/// Swift's own pool (`default`). `--flush-coalescing off` turns off the transport's default
/// holding of flushes for up to 100 µs (as `grpc-peer`'s).
let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String? = nil) -> String {
    if let i = arguments.firstIndex(of: name), i + 1 < arguments.count { return arguments[i + 1] }
    guard let fallback else { fail("\(name) is required") }
    return fallback
}
func fail(_ why: String) -> Never {
    FileHandle.standardError.write(Data("grpc-load: \(why)\n".utf8)); exit(64)
}
let target = option("--target")
guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
    fail("--target HOST:PORT")
}
let host = String(target[..<colon])
let connections = Int(option("--connections", "16")) ?? 16
let concurrency = Int(option("--concurrency", "32")) ?? 32
let seconds = Double(option("--duration", "10")) ?? 10
let json = arguments.contains("--json")
guard let text = try? String(contentsOfFile: option("--tokens"), encoding: .utf8) else { fail("cannot read --tokens") }
let tokens = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
guard !tokens.isEmpty else { fail("no tokens") }
let requests = tokens.map { token in Authrpc_Bench_V1_VerifyTokenRequest.with { $0.token = token } }

/// What one caller task saw.
struct Tally: Sendable {
    var latenciesNanos: [UInt64] = []
    var outcomes: [String: Int] = [:]
}

let executor = option("--executor", "loop")
guard ["loop", "nio", "default"].contains(executor) else { fail("--executor loop|nio|default") }
let flushCoalescing = option("--flush-coalescing", "on") == "on"
NIOSingletons.groupLoopCountSuggestion = 1
if executor == "nio" { _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() }
let group = MultiThreadedEventLoopGroup.singleton
let stop = Atomic<Bool>(false)

func measure() async throws -> String {
    let clients = try (0..<connections).map { _ in
        GRPCClient(transport: try .http2NIOPosix(target: .ipv4(host: host, port: port), transportSecurity: .plaintext,
                                                 config: .defaults { if !flushCoalescing { $0.connection.flushCoalescing = nil } },
                                                 eventLoopGroup: group))
    }
    let report: String = try await withThrowingTaskGroup(of: Void.self) { running in
        for client in clients { running.addTask { try await client.runConnections() } }
        defer { for client in clients { client.beginGracefulShutdown() } }

        // Each connection answers once before the clock starts (a refusal is an answer too).
        for client in clients {
            do {
                _ = try await Authrpc_Bench_V1_TokenService.Client(wrapping: client).verifyToken(requests[0])
            } catch is RPCError {}
        }

        let began = ContinuousClock.now
        let tallies = await withTaskGroup(of: Tally.self) { callers in
            for (c, client) in clients.enumerated() {
                let service = Authrpc_Bench_V1_TokenService.Client(wrapping: client)
                for d in 0..<concurrency {
                    callers.addTask {
                        var tally = Tally()
                        tally.latenciesNanos.reserveCapacity(1 << 16)
                        var next = (c * concurrency + d) * 7919
                        while !stop.load(ordering: .relaxed) {
                            let request = requests[next % requests.count]
                            next += 1
                            let sent = ContinuousClock.now
                            let outcome: String
                            do {
                                _ = try await service.verifyToken(request)
                                outcome = "OK"
                            } catch let error as RPCError {
                                outcome = "\(error.code)"
                            } catch {
                                outcome = "error"
                            }
                            let took = ContinuousClock.now - sent
                            tally.latenciesNanos.append(UInt64(took.components.seconds) * 1_000_000_000
                                                        + UInt64(took.components.attoseconds / 1_000_000_000))
                            tally.outcomes[outcome, default: 0] += 1
                        }
                        return tally
                    }
                }
            }
            callers.addTask {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                stop.store(true, ordering: .relaxed)
                return Tally()
            }
            var all: [Tally] = []
            for await tally in callers { all.append(tally) }
            return all
        }
        let elapsed = ContinuousClock.now - began
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var latencies = tallies.flatMap(\.latenciesNanos)
        latencies.sort()
        var outcomes: [String: Int] = [:]
        for tally in tallies { outcomes.merge(tally.outcomes, uniquingKeysWith: +) }
        func micros(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * p / 100))]) / 1000
        }
        let answered = latencies.count
        let throughput = Double(answered) / elapsedSeconds
        let outcomeJSON = outcomes.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
        if json {
            return String(format: """
                {"elapsed_seconds": %.3f, "sent": %d, "answered": %d, "lost": 0, "connection_errors": 0, \
                "throughput_rps": %.1f, "connections": %d, "depth": %d, "rate": 0.0, \
                "latency_us": {"p50": %.1f, "p90": %.1f, "p99": %.1f, "p99_9": %.1f, "max": %.1f}, "outcomes": {%@}}
                """, elapsedSeconds, answered, answered, throughput, connections, concurrency,
                micros(50), micros(90), micros(99), micros(99.9), micros(100), outcomeJSON)
        }
        return String(format: """
            %d answered in %.2f s: %.0f/s over %d connections x %d in flight
            latency (us): p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f
            outcomes: %@
            """, answered, elapsedSeconds, throughput, connections, concurrency,
            micros(50), micros(90), micros(99), micros(99.9), micros(100), outcomeJSON)
    }
    return report
}

do {
    let report = executor == "loop"
        ? try await withTaskExecutorPreference(EventLoopTaskExecutor(group.next())) { try await measure() }
        : try await measure()
    print(report)
} catch {
    FileHandle.standardError.write(Data("grpc-load: \(error)\n".utf8))
    exit(1)
}
