/// Strict base64url (RFC 4648 §5) as JWS compact serialization uses it (RFC 7515 §2):
/// no padding, no line breaks, no characters outside `A-Z a-z 0-9 - _`, no impossible
/// lengths and no non-zero trailing bits. Being strict keeps one token = one byte string,
/// which the verified-token cache relies on (it is keyed by the token's exact bytes).
/// SPEC §6 step 1.
public enum Base64URL {
    /// 0...63 for alphabet bytes, 0xFF for everything else. Allocated once, never freed or
    /// written after initialisation; read through a raw pointer so the hot loop has no
    /// bounds checks (every index is a byte, the table has 256 entries).
    nonisolated(unsafe) private static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return UnsafePointer(t)
    }()

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// How many bytes `count` base64url characters decode to; nil for an impossible length.
    static func decodedCount(_ count: Int) -> Int? {
        count % 4 == 1 ? nil : count / 4 * 3 + (count % 4 == 0 ? 0 : count % 4 - 1)
    }

    /// The decoded bytes, or nil when `input` is not canonical unpadded base64url.
    static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        guard let outCount = decodedCount(input.count) else { return nil }
        if outCount == 0 { return [] }
        var ok = true
        let out = [UInt8](unsafeUninitializedCapacity: outCount) { buf, count in
            ok = decode(input, into: UnsafeMutableRawBufferPointer(buf))
            count = ok ? outCount : 0
        }
        return ok ? out : nil
    }

    /// Decodes into `output`, which must hold exactly `decodedCount(input.count)` bytes.
    /// False when `input` is not canonical unpadded base64url.
    static func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        let n = input.count
        guard let outCount = decodedCount(n), output.count == outCount else { return false }
        guard n > 0 else { return true }
        let t = table, w = wordTables
        let src = input.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let dst = output.baseAddress!
        var i = 0, o = 0
        // Whole groups but the last: four table lookups OR-ed into one little-endian word,
        // stored 4 bytes wide (the 4th is overwritten by the next group). A non-alphabet
        // byte sets bit 24, checked once after the loop.
        var flags: UInt32 = 0
        while i + 4 <= n && o + 4 <= outCount {
            let v = w[Int(src[i])] | w[256 + Int(src[i + 1])] | w[512 + Int(src[i + 2])] | w[768 + Int(src[i + 3])]
            flags |= v
            dst.storeBytes(of: v, toByteOffset: o, as: UInt32.self)
            i += 4; o += 3
        }
        if flags & 0xFF00_0000 != 0 { return false }
        while i + 4 <= n {
            let a = t[Int(src[i])], b = t[Int(src[i + 1])], c = t[Int(src[i + 2])], d = t[Int(src[i + 3])]
            if (a | b | c | d) & 0xC0 != 0 { return false }
            dst.storeBytes(of: a << 2 | b >> 4, toByteOffset: o, as: UInt8.self)
            dst.storeBytes(of: (b & 0x0F) << 4 | c >> 2, toByteOffset: o + 1, as: UInt8.self)
            dst.storeBytes(of: (c & 0x03) << 6 | d, toByteOffset: o + 2, as: UInt8.self)
            i += 4; o += 3
        }
        let rest = n - i
        if rest == 0 { return true }
        let a = t[Int(src[i])], b = t[Int(src[i + 1])]
        let c = rest == 3 ? t[Int(src[i + 2])] : 0
        if (a | b | c) & 0xC0 != 0 { return false }
        if rest == 2 {
            // 12 bits carry 8: the low 4 must be zero (canonical form).
            guard b & 0x0F == 0 else { return false }
            dst.storeBytes(of: a << 2 | b >> 4, toByteOffset: o, as: UInt8.self)
        } else {
            // 18 bits carry 16: the low 2 must be zero.
            guard c & 0x03 == 0 else { return false }
            dst.storeBytes(of: a << 2 | b >> 4, toByteOffset: o, as: UInt8.self)
            dst.storeBytes(of: (b & 0x0F) << 4 | c >> 2, toByteOffset: o + 1, as: UInt8.self)
        }
        return true
    }

    /// Four 256-entry tables, one per position in a 4-character group, giving that
    /// character's contribution to the 3 output bytes as a little-endian word; bit 24 marks
    /// a byte outside the alphabet. Same lifetime rules as `table`.
    nonisolated(unsafe) private static let wordTables: UnsafePointer<UInt32> = {
        let w = UnsafeMutablePointer<UInt32>.allocate(capacity: 1024)
        w.initialize(repeating: 0x0100_0000, count: 1024)
        for c in 0..<256 {
            let v = UInt32(table[c])
            guard v < 64 else { continue }
            w[c] = v << 2                                           // byte 0, high 6 bits
            w[256 + c] = v >> 4 | (v & 0x0F) << 12                  // byte 0 low 2, byte 1 high 4
            w[512 + c] = (v >> 2) << 8 | (v & 0x03) << 22           // byte 1 low 4, byte 2 high 2
            w[768 + c] = v << 16                                    // byte 2, low 6 bits
        }
        return UnsafePointer(w)
    }()

    static func decode(_ input: some StringProtocol) -> [UInt8]? {
        let bytes = Array(input.utf8)
        return bytes.withUnsafeBytes { decode($0) }
    }

    /// Unpadded base64url; used to build JWKS documents and tokens in tests and benchmarks.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)]); out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)]); out.append(alphabet[Int(v & 63)])
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let v = UInt32(input[i]) << 16
            out.append(alphabet[Int(v >> 18 & 63)]); out.append(alphabet[Int(v >> 12 & 63)])
        } else if rest == 2 {
            let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out.append(alphabet[Int(v >> 18 & 63)]); out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
