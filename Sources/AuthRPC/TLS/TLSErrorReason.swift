import NIOSSL

/// Short, stable names for why TLS failed, from swift-nio-ssl's errors: BoringSSL's
/// reason codes (`CERTIFICATE_VERIFY_FAILED`, `WRONG_VERSION_NUMBER`, …) rather than
/// its whole error stack with file names and line numbers.
enum TLSErrorReason {
    /// BoringSSL reason codes in `error`, outermost first; empty when it carries none.
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

    /// `Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /path:123`
    /// → `CERTIFICATE_VERIFY_FAILED`; a synthetic entry (`EOF during handshake`) stays as it is.
    static func reason(of entry: String) -> String {
        guard let marker = entry.range(of: "OPENSSL_internal:") else {
            return entry.hasPrefix("Error:  ") ? String(entry.dropFirst(8)) : entry
        }
        let rest = entry[marker.upperBound...]
        let end = rest.range(of: " at ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }
}
