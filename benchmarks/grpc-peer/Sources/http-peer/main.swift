import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import PeerVerification

/// `http-peer [--listen HOST:PORT] [--threads N]`: VerifyToken as HTTP/1.1 with a bearer
/// header in and JSON out (VerifyHTTPHandler), on NIOHTTP1 with N event-loop threads
/// (default 1). Verification settings come from the environment (PeerVerifier). Prints
/// `listening on ...` once bound; runs until killed.
let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
    return arguments[i + 1]
}
let listen = option("--listen", "127.0.0.1:7600")
guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
    FileHandle.standardError.write(Data("http-peer: --listen HOST:PORT\n".utf8)); exit(64)
}
let host = String(listen[..<colon])
let threads = Int(option("--threads", "1")) ?? 1

do {
    let verifier = try await PeerVerifier.start()
    let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    let channel = try await ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true)
                try channel.pipeline.syncOperations.addHandler(VerifyHTTPHandler(verifier: verifier))
            }
        }
        .bind(host: host, port: port).get()
    FileHandle.standardOutput.write(Data("http-peer listening on \(channel.localAddress.map { "\($0)" } ?? listen)\n".utf8))
    try await channel.closeFuture.get()
} catch {
    FileHandle.standardError.write(Data("http-peer: \(error)\n".utf8))
    exit(1)
}
