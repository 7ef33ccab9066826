import ArgumentParser
import AuthRPCLoad
import Foundation
import NIOPosix

/// `authrpc bench handshakes`: new TLS connections per second a running server accepts
/// (full TLS 1.3 handshakes, each connection closed at once).
struct BenchHandshakesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handshakes",
        abstract: "Open and close TLS connections to a running server as fast as it takes them; print handshakes/s.")

    @Option(help: "Server HOST:PORT.") var address = "127.0.0.1:7400"
    @Option(help: "Handshakes in progress at once.") var concurrency = 16
    @Option(help: "Seconds to run.") var duration = 10.0
    @Flag(help: "Print the result as JSON.") var json = false
    @OptionGroup var tls: TLSOptions

    func run() async throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw ValidationError("--address must be HOST:PORT")
        }
        guard let clientTLS = try tls.makeClientTLS() else {
            throw ValidationError("handshakes are TLS handshakes: give --tls-ca (and --tls-cert/--tls-key for mTLS)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let report = await HandshakeLoad.run(host: String(address[..<colon]), port: port, tls: clientTLS,
                                             concurrency: concurrency, duration: .milliseconds(Int64(duration * 1000)),
                                             group: group)
        try await group.shutdownGracefully()
        print(json ? report.json : report.text)
    }
}
