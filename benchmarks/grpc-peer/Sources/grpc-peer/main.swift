import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import NIOPosix
import PeerVerification

/// `grpc-peer [--listen HOST:PORT] [--threads N] [--executor nio|default]`: VerifyToken over
/// grpc-swift-2's HTTP/2 transport, plaintext, with N event-loop threads (default 1, as
/// authrpc is run in the comparison). grpc-swift-2 runs every handler as a Swift task; by
/// default (`nio`) Swift's global executor is NIO's event loops
/// (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`),
/// so a call does not hop between the event loop's thread and Swift's thread pool;
/// `default` keeps Swift's own pool. Verification settings come from the environment
/// (PeerVerifier). Prints `listening on ...` once bound; runs until killed.
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
let onNIO = option("--executor", "nio") == "nio"
    && NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

do {
    let verifier = try await PeerVerifier.start()
    let group = onNIO ? MultiThreadedEventLoopGroup.singleton : MultiThreadedEventLoopGroup(numberOfThreads: threads)
    let server = GRPCServer(
        transport: .http2NIOPosix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext,
                                  eventLoopGroup: group),
        services: [TokenService(verifier: verifier)])
    try await withThrowingDiscardingTaskGroup { tasks in
        tasks.addTask { try await server.serve() }
        if let address = try await server.listeningAddress {
            FileHandle.standardOutput.write(Data("grpc-peer listening on \(address)\(onNIO ? ", tasks on the event loop" : "")\n".utf8))
        }
    }
} catch {
    FileHandle.standardError.write(Data("grpc-peer: \(error)\n".utf8))
    exit(1)
}
