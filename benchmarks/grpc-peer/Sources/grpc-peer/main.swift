import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import LoopExecutor
import NIOCore
import NIOPosix
import PeerVerification

/// `grpc-peer [--listen HOST:PORT] [--threads N] [--executor loop|nio|default]
/// [--flush-coalescing on|off]`: VerifyToken
/// over grpc-swift-2's HTTP/2 transport, plaintext, with N event-loop threads (default 1, as
/// authrpc is run in the comparison). grpc-swift-2 runs every handler as a Swift task; where:
/// - `loop` (default): on the (first) event loop, as a task executor preference
///   (`EventLoopTaskExecutor`), so a call neither hops threads nor makes a job of each
///   `await`. With N > 1 every handler runs on that one loop: use `default` there.
/// - `nio`: NIO's event loops installed as Swift's global executor
///   (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`),
///   as this peer did until 2026-12: each of a call's ~117 hops to the generic executor
///   becomes an event-loop job (docs/BENCHMARKS.md).
/// - `default`: Swift's own thread pool, a thread hop for each exchange with the event loop.
/// `--flush-coalescing`: grpc-swift-nio-transport's default (`on`) holds a connection's
/// flushes for up to 100 µs to batch them; `off` flushes at once (a depth-1 comparison).
/// Verification settings come from the environment (PeerVerifier). Prints `listening on ...`
/// once bound; runs until killed.
let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
    return arguments[i + 1]
}
let listen = option("--listen", "127.0.0.1:7500")
guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
    FileHandle.standardError.write(Data("grpc-peer: --listen HOST:PORT\n".utf8)); exit(64)
}
let host = String(listen[..<colon])
let threads = Int(option("--threads", "1")) ?? 1
NIOSingletons.groupLoopCountSuggestion = threads
let executor = option("--executor", "loop")
guard ["loop", "nio", "default"].contains(executor) else {
    FileHandle.standardError.write(Data("grpc-peer: --executor loop|nio|default\n".utf8)); exit(64)
}
let flushCoalescing = option("--flush-coalescing", "on") == "on"
let onNIO = executor == "nio"
    && NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

do {
    let verifier = try await PeerVerifier.start()
    let group = onNIO ? MultiThreadedEventLoopGroup.singleton : MultiThreadedEventLoopGroup(numberOfThreads: threads)
    let server = GRPCServer(
        transport: .http2NIOPosix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext,
                                  config: .defaults { if !flushCoalescing { $0.connection.flushCoalescing = nil } },
                                  eventLoopGroup: group),
        services: [TokenService(verifier: verifier)])
    let where_ = switch executor {
    case "loop": ", tasks on the event loop (task executor)"
    case "nio": onNIO ? ", tasks on the event loop (global executor)" : ", tasks on Swift's pool (NIO not installed)"
    default: ", tasks on Swift's pool"
    }
    func run() async throws {
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await server.serve() }
            if let address = try await server.listeningAddress {
                FileHandle.standardOutput.write(Data("grpc-peer listening on \(address)\(where_)\n".utf8))
            }
        }
    }
    if executor == "loop" {
        try await withTaskExecutorPreference(EventLoopTaskExecutor(group.next())) { try await run() }
    } else {
        try await run()
    }
} catch {
    FileHandle.standardError.write(Data("grpc-peer: \(error)\n".utf8))
    exit(1)
}
