import AuthRPCClient
import Foundation
import NIOCore
import NIOPosix

/// The network failed, not the service: no connection could be made, or it was lost
/// before the answer came. Said in one line that names the address
/// (`cannot connect to 127.0.0.1:7400: connection refused`) and kept apart from a
/// service's refusal by its exit code (`CLIExit.transport`), so a script can tell
/// "the token is bad" from "the server is down".
struct TransportFailure: Error, CustomStringConvertible {
    enum Phase: Sendable {
        /// Dialling, including the TLS handshake.
        case connect
        /// After the connection was made, before the answer arrived.
        case call
    }

    let address: ServerAddress
    let phase: Phase
    let reason: String

    init(_ error: any Error, address: ServerAddress, phase: Phase) {
        self.address = address
        self.phase = phase
        self.reason = Self.reason(for: error)
    }

    var description: String {
        switch phase {
        case .connect: "cannot connect to \(address): \(reason)"
        case .call: "no answer from \(address): \(reason)"
        }
    }

    /// A few words for what went wrong, in the terms `connect(2)` and a resolver use.
    static func reason(for error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            // Happy Eyeballs tries every address the name resolved to; say what each did.
            let reasons = error.connectionErrors.map { reason(for: $0.error) }
            if !reasons.isEmpty { return reasons.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: "; ") }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "unknown host" }
            return "no address to connect to"
        case let error as IOError:
            return errnoText(error.errnoCode)
        case ChannelError.connectTimeout(let after):
            return "no answer within \(after.nanoseconds / 1_000_000) ms"
        case is SocketAddressError:
            return "unknown host"
        case let error as AuthRPCClientError:
            switch error {
            case .connectionClosed: return "the server closed the connection before answering"
            case .timedOut: return "timed out"
            default: return error.description
            }
        default:
            return String(describing: error)
        }
    }

    /// `strerror` with a lower-case first letter, to read as the end of a sentence.
    static func errnoText(_ code: CInt) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
