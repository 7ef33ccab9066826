import ArgumentParser
import Foundation

/// Where a client command (`call`, `bench verify`, `bench handshakes`) connects:
/// `--address`, else `$AUTHRPC_ADDRESS`, else the address `serve` listens on by default,
/// so every command a shell runs finds the same server.
struct ServerAddress: Equatable, CustomStringConvertible {
    static let fallback = ServerAddress(host: "127.0.0.1", port: 7400)

    let host: String
    let port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`, or `[IPv6]:PORT`.
    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        var host = Substring(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        self.init(host: String(host), port: port)
    }

    /// The address a command was given, or why it cannot be used (a usage error).
    static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ServerAddress {
        if let flag {
            guard let address = ServerAddress(flag) else {
                throw ValidationError("--address must be HOST:PORT (got \"\(flag)\")")
            }
            return address
        }
        if let text = environment["AUTHRPC_ADDRESS"], !text.isEmpty {
            guard let address = ServerAddress(text) else {
                throw ValidationError("AUTHRPC_ADDRESS must be HOST:PORT (got \"\(text)\")")
            }
            return address
        }
        return fallback
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
