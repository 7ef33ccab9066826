import ArgumentParser
import AuthRPCClient
import AuthRPCLoad
import Foundation
import NIOPosix

/// `authrpc bench handshakes`: new TLS connections per second a running server accepts
/// (full TLS 1.3 handshakes, each connection closed at once).
struct BenchHandshakesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handshakes",
        abstract: "Open and close TLS connections to a running server as fast as it takes them; print handshakes/s.")

    @Option(help: "Server HOST:PORT (default: $AUTHRPC_ADDRESS, else 127.0.0.1:7400).") var address: String?
    @Option(help: "Handshakes in progress at once.") var concurrency = 16
    @Option(help: "How long to run: 500ms, 10s, 2m; a bare number is seconds.")
    var duration = DurationArgument(.seconds(10))
    @Flag(help: "Print the result as JSON.") var json = false
    @OptionGroup var tls: TLSOptions

    func run() async throws {
        let address = try ServerAddress.resolve(flag: address)
        let configured: ClientTLS?
        do {
            configured = try tls.makeClientTLS()
        } catch {
            throw ValidationError("\(error)")
        }
        guard let clientTLS = configured else {
            throw ValidationError("handshakes are TLS handshakes: give --tls-ca (and --tls-cert/--tls-key for mTLS)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let report = await HandshakeLoad.run(host: address.host, port: address.port, tls: clientTLS,
                                             concurrency: concurrency, duration: duration.duration,
                                             group: group)
        try await group.shutdownGracefully()
        print(json ? report.json : report.text)
    }
}
