import NIOSSL

/// Why TLS with the server failed, in terms a person can act on; `reason` keeps
/// BoringSSL's own code (`CERTIFICATE_VERIFY_FAILED`, …) for searching.
public struct TLSFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The server's certificate did not verify against the CA given.
        case serverCertificateNotTrusted
        /// The server's certificate is not for the name asked for.
        case serverNameMismatch
        /// The server wants a client certificate and none was given.
        case clientCertificateRequired
        /// The server refused the client certificate.
        case clientCertificateRefused
        /// What answered is not a TLS 1.3 server.
        case notTLS
        /// A plaintext connection reached a TLS port.
        case serverRequiresTLS
        /// The handshake did not finish in time.
        case timedOut
        /// The server closed the connection during the handshake.
        case closedDuringHandshake
        case other
    }

    public var kind: Kind
    public var message: String
    public var reason: String

    public init(kind: Kind, message: String, reason: String) {
        self.kind = kind
        self.message = message
        self.reason = reason
    }

    public var description: String { reason.isEmpty ? message : "\(message) [\(reason)]" }

    /// Classifies an error of swift-nio-ssl seen on a connection to `serverName`.
    init(_ error: any Error, serverName: String) {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            self.init(kind: .serverNameMismatch,
                      message: "the server's certificate is not valid for \"\(serverName)\" (check --tls-server-name)",
                      reason: "failedToValidateHostname")
            return
        }
        let reasons = Self.reasons(of: error)
        let set = Set(reasons)
        let reason = reasons.joined(separator: ",")
        if set.contains("CERTIFICATE_VERIFY_FAILED") {
            self.init(kind: .serverCertificateNotTrusted,
                      message: "the server's certificate did not verify with the CA given: issued by another CA, expired or not yet valid",
                      reason: reason)
        } else if set.contains("TLSV1_ALERT_CERTIFICATE_REQUIRED") || set.contains("SSLV3_ALERT_HANDSHAKE_FAILURE") && set.count == 1 {
            self.init(kind: .clientCertificateRequired,
                      message: "the server requires a client certificate: give one from its client CA (--tls-cert, --tls-key)",
                      reason: reason)
        } else if let alert = reasons.first(where: { ["TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE",
                                                      "SSLV3_ALERT_CERTIFICATE_EXPIRED", "TLSV1_ALERT_ACCESS_DENIED",
                                                      "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "TLSV1_ALERT_DECRYPT_ERROR"].contains($0) }) {
            let why = alert == "SSLV3_ALERT_CERTIFICATE_EXPIRED" ? "it has expired" : "it is not from the server's client CA"
            self.init(kind: .clientCertificateRefused, message: "the server refused the client certificate: \(why)", reason: reason)
        } else if !set.isDisjoint(with: ["WRONG_VERSION_NUMBER", "UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION",
                                         "HTTP_REQUEST", "UNEXPECTED_RECORD"]) {
            self.init(kind: .notTLS, message: "the server does not speak TLS 1.3 (a plaintext port?)", reason: reason)
        } else if set.contains(where: { $0.contains("EOF") }) {
            self.init(kind: .closedDuringHandshake,
                      message: "the server closed the connection during the TLS handshake (a plaintext port, or it refused this client?)",
                      reason: reason)
        } else {
            self.init(kind: .other, message: "TLS with the server failed", reason: reason.isEmpty ? "\(error)" : reason)
        }
    }

    /// BoringSSL reason codes in a swift-nio-ssl error, outermost first.
    static func reasons(of error: any Error) -> [String] {
        switch error {
        case NIOSSLError.handshakeFailed(let inner), NIOSSLError.shutdownFailed(let inner):
            return reasons(of: inner)
        case let error as BoringSSLError:
            switch error {
            case .sslError(let stack), .unknownError(let stack), .invalidSNIName(let stack), .failedToSetALPN(let stack):
                return stack.map { reason(of: "\($0)") }
            default:
                return ["\(error)"]
            }
        case let error as NIOSSLError:
            return ["\(error)"]
        default:
            return []
        }
    }

    /// `Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /x.cc:1`
    /// → `CERTIFICATE_VERIFY_FAILED`.
    static func reason(of entry: String) -> String {
        guard let marker = entry.range(of: "OPENSSL_internal:") else {
            return entry.hasPrefix("Error:  ") ? String(entry.dropFirst(8)) : entry
        }
        let rest = entry[marker.upperBound...]
        return String(rest[..<(rest.range(of: " at ")?.lowerBound ?? rest.endIndex)])
    }
}
