/// Strict base64url (RFC 4648 §5) as JWS compact serialization uses it (RFC 7515 §2):
/// no padding, no line breaks, no characters outside `A-Z a-z 0-9 - _`, no impossible
/// lengths and no non-zero trailing bits. Being strict keeps one token = one byte string,
/// which the verified-token cache relies on (it is keyed by the token's exact bytes).
/// SPEC §6 step 1.
enum Base64URL {
    /// 0...63 for alphabet bytes, 0xFF for everything else.
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The decoded bytes, or nil when `input` is not canonical unpadded base64url.
    static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        let n = input.count
        if n % 4 == 1 { return nil }
        let outCount = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1)
        if outCount == 0 { return [] }
        return table.withUnsafeBufferPointer { t -> [UInt8]? in
            var ok = true
            let out = [UInt8](unsafeUninitializedCapacity: outCount) { buf, count in
                var i = 0, o = 0
                while i + 4 <= n {
                    let a = t[Int(input[i])], b = t[Int(input[i + 1])], c = t[Int(input[i + 2])], d = t[Int(input[i + 3])]
                    if (a | b | c | d) & 0xC0 != 0 { ok = false; break }
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    buf[o] = UInt8(truncatingIfNeeded: v >> 16)
                    buf[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    buf[o + 2] = UInt8(truncatingIfNeeded: v)
                    i += 4; o += 3
                }
                if ok && i < n {
                    let rest = n - i
                    let a = t[Int(input[i])], b = t[Int(input[i + 1])]
                    let c = rest == 3 ? t[Int(input[i + 2])] : 0
                    if (a | b | c) & 0xC0 != 0 {
                        ok = false
                    } else if rest == 2 {
                        // 12 bits carry 8: the low 4 must be zero (canonical form).
                        if b & 0x0F != 0 { ok = false } else { buf[o] = a << 2 | b >> 4; o += 1 }
                    } else {
                        // 18 bits carry 16: the low 2 must be zero.
                        if c & 0x03 != 0 {
                            ok = false
                        } else {
                            buf[o] = a << 2 | b >> 4
                            buf[o + 1] = (b & 0x0F) << 4 | c >> 2
                            o += 2
                        }
                    }
                }
                count = ok ? o : 0
            }
            return ok ? out : nil
        }
    }

    static func decode(_ input: some StringProtocol) -> [UInt8]? {
        let bytes = Array(input.utf8)
        return bytes.withUnsafeBytes { decode($0) }
    }

    /// Unpadded base64url; used to build JWKS documents and tokens in tests and benchmarks.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
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
