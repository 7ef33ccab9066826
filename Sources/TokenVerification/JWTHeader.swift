#if canImport(Glibc)
import Glibc
#endif

/// What verification reads from a JWS header (RFC 7515 §4): `alg`, `kid`, and whether
/// `crit` is present. Everything else in the header — notably `jwk`, `jku`, `x5u`, `x5c` —
/// is validated as JSON and then ignored: a key or a key URL supplied by the token would
/// let the token vouch for itself (SPEC §6 step 2).
struct JWTHeader: Sendable {
    /// `alg`, nil when absent or not a string.
    let algorithm: String?
    /// `kid`, nil when absent or not a string.
    let keyID: String?
    /// `crit` present: the token demands extensions this verifier does not implement, so
    /// it must be refused (RFC 7515 §4.1.11).
    let hasCriticalExtensions: Bool

    /// Parses a decoded header; the reason when it is not one strict JSON object.
    static func parse(_ raw: UnsafeRawBufferPointer) -> Result<JWTHeader, JSONReader.Malformed> {
        var algorithm: String?, keyID: String?, critical = false
        var reader = JSONReader(raw)
        do {
            try reader.readObject { key, r throws(JSONReader.Malformed) in
                if key.matches("alg") {
                    if try r.peekKind() == .string { algorithm = try r.readString() } else { try r.skipValue() }
                } else if key.matches("kid") {
                    if try r.peekKind() == .string { keyID = try r.readString() } else { try r.skipValue() }
                } else if key.matches("crit") {
                    critical = true
                    try r.skipValue()
                } else {
                    try r.skipValue()
                }
            }
            try reader.finish()
        } catch {
            return .failure(error)
        }
        return .success(JWTHeader(algorithm: algorithm, keyID: keyID, hasCriticalExtensions: critical))
    }
}

/// The last few headers this thread parsed, keyed by their exact base64url text.
///
/// Why: an issuer signs every token with one of a handful of keys, so nearly every token
/// carries one of a handful of byte-identical headers. Remembering them skips the header's
/// decode, parse and `kid` String per token. Only well-formed headers are remembered, and
/// only short ones; a lookup is a length check and a `memcmp` of the exact bytes, so a
/// remembered answer is the answer parsing those bytes would give.
final class JWTHeaderMemo {
    static let capacity = 8
    /// Longer headers are parsed every time (Cognito's are about 100 characters).
    static let maxTextCount = 256

    /// Remembered headers with their exact text, oldest replaced first once full.
    private var entries: [(text: [UInt8], header: JWTHeader)] = []
    private var nextVictim = 0

    static func current() -> JWTHeaderMemo? { perThread.get() }
    private static let perThread = ThreadLocal { JWTHeaderMemo() }

    func lookup(_ text: UnsafeRawBufferPointer) -> JWTHeader? {
        for entry in entries where entry.text.count == text.count {
            if entry.text.withUnsafeBytes({ memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0 }) {
                return entry.header
            }
        }
        return nil
    }

    func remember(_ text: UnsafeRawBufferPointer, _ header: JWTHeader) {
        guard !text.isEmpty, text.count <= Self.maxTextCount else { return }
        let entry = (text: Array(text), header: header)
        if entries.count < Self.capacity {
            entries.append(entry)
        } else {
            entries[nextVictim] = entry
            nextVictim = (nextVictim + 1) % Self.capacity
        }
    }
}
