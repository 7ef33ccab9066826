/// How a log names a token without showing it (SPEC §9): the first 12 hex digits of the
/// SHA-256 of its text. Enough to tell tokens apart and to find the one a client holds
/// (`printf %s "$TOKEN" | sha256sum | cut -c1-12`); 48 bits of a hash of a signed token
/// give nothing back of it.
///
/// Hashed on the calling thread's digest context (the one RS256 checks use), so naming a
/// token costs one hash and no allocation in OpenSSL; only lines that are written pay it.
public enum TokenFingerprint {
    /// Hex digits kept.
    public static let length = 12

    /// The fingerprint of `token`, or `"-"` for no token (or if OpenSSL could not hash).
    public static func of(_ token: some StringProtocol) -> String {
        var text = String(token)
        return text.withUTF8 { of(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The fingerprint of a token given as the bytes it was sent in.
    public static func of(bytes token: UnsafeRawBufferPointer) -> String {
        guard !token.isEmpty, let context = RS256ThreadContext.current() else { return "-" }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            guard context.hash(token, into: digest.baseAddress!) else { return "-" }
            let hex = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(length)
            for byte in digest.prefix(length / 2) {
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
