#if canImport(Glibc)
import Glibc
#endif

/// A small, strict, allocation-light JSON reader (RFC 8259) for JWT headers and payloads.
///
/// Why not Foundation on the hot path: reading a Cognito access token's payload into a
/// `Codable` struct with `JSONDecoder` takes about 13-17 times as long as this reader
/// (`scripts/bench-codecs`, docs/BENCHMARKS.md "Codecs"); at ~15 µs that is about a
/// third of an RSA-2048 verification. This reader walks the bytes once, hands the caller
/// each member's key, and lets the caller read the values it cares about and skip the
/// rest. Cold-path JSON (JWKS documents, Cognito answers, the caller policy) uses
/// `Codable`.
///
/// Strict where laxness would let two different byte strings mean the same token:
/// duplicate keys are rejected (at every depth), strings must be valid UTF-8 without raw
/// control characters and with paired surrogates, numbers follow the JSON grammar, only
/// JSON whitespace is allowed, nesting is capped at `maxDepth`. SPEC §6 step 1.
///
/// A string holding U+0000 (the escape `\u0000`) is rejected too, wherever it stands:
/// answers travel as protobuf-c strings, which end at the first NUL, so a claim such as
/// `"admins\u0000-not-really"` would otherwise reach the caller as `"admins"`.
struct JSONReader {
    struct Malformed: Error, Equatable {
        /// Which rule broke; for tests and logs, never shown with the input.
        let reason: StaticString
        static func == (a: Malformed, b: Malformed) -> Bool { a.reason.description == b.reason.description }
    }

    /// What the next value is, by its first byte.
    enum Kind { case object, array, string, number, bool, null }

    static let maxDepth = 16

    private let base: UnsafePointer<UInt8>
    private let end: Int
    private var pos = 0
    private var depth = 0

    /// `bytes` must stay valid while the reader is used.
    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer has no base address; point at a static byte and read nothing.
        self.base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? JSONReader.emptyBase
        self.end = bytes.count
    }

    // Never written after creation; never dereferenced (end == 0).
    nonisolated(unsafe) private static let emptyBase: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    // MARK: structure

    /// Reads one object, calling `member` for each key; `member` must consume the value
    /// (with a `read…` call or `skipValue`). Duplicate keys fail the read.
    mutating func readObject(_ member: (JSONKey, inout JSONReader) throws(Malformed) -> Void) throws(Malformed) {
        skipWhitespace()
        guard peekByte() == UInt8(ascii: "{") else { throw Malformed(reason: "expected an object") }
        depth += 1
        guard depth <= Self.maxDepth else { throw Malformed(reason: "nested too deeply") }
        pos += 1
        // Keys seen so far, for duplicate detection: the first 32 in stack space, any more
        // in an array. Escaped keys are decoded into buffers freed when the object ends.
        var failure: Malformed?
        var escapedKeys: [UnsafeMutableBufferPointer<UInt8>] = []
        defer { for buffer in escapedKeys { buffer.deallocate() } }
        withUnsafeTemporaryAllocation(of: JSONKey.self, capacity: 32) { slots in
            do throws(Malformed) {
                try readMembers(slots: slots, escapedKeys: &escapedKeys, member)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        depth -= 1
    }

    private mutating func readMembers(slots: UnsafeMutableBufferPointer<JSONKey>,
                                      escapedKeys: inout [UnsafeMutableBufferPointer<UInt8>],
                                      _ member: (JSONKey, inout JSONReader) throws(Malformed) -> Void) throws(Malformed) {
        var overflow: [JSONKey] = []
        var count = 0
        // A 64-bit filter over (length, first, last byte): only a key whose bit is already
        // set is compared with the earlier keys, so the common case is O(1) per key.
        var filter: UInt64 = 0
        skipWhitespace()
        if peekByte() == UInt8(ascii: "}") {
            pos += 1
            return
        }
        while true {
            skipWhitespace()
            let key = try readKey(escapedKeys: &escapedKeys)
            let bit: UInt64 = 1 << (key.fingerprint & 63)
            if filter & bit != 0 {
                for i in 0..<min(count, slots.count) where slots[i] == key { throw Malformed(reason: "duplicate key") }
                for other in overflow where other == key { throw Malformed(reason: "duplicate key") }
            }
            filter |= bit
            if count < slots.count { slots.initializeElement(at: count, to: key) } else { overflow.append(key) }
            count += 1
            skipWhitespace()
            guard peekByte() == UInt8(ascii: ":") else { throw Malformed(reason: "expected ':'") }
            pos += 1
            try member(key, &self)
            skipWhitespace()
            switch peekByte() {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "}"): pos += 1; return
            default: throw Malformed(reason: "expected ',' or '}'")
            }
        }
    }

    /// Reads one array, calling `element` for each element, which it must consume.
    mutating func readArray(_ element: (inout JSONReader) throws(Malformed) -> Void) throws(Malformed) {
        skipWhitespace()
        guard peekByte() == UInt8(ascii: "[") else { throw Malformed(reason: "expected an array") }
        depth += 1
        guard depth <= Self.maxDepth else { throw Malformed(reason: "nested too deeply") }
        pos += 1
        skipWhitespace()
        if peekByte() == UInt8(ascii: "]") {
            pos += 1; depth -= 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            switch peekByte() {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "]"): pos += 1; depth -= 1; return
            default: throw Malformed(reason: "expected ',' or ']'")
            }
        }
    }

    /// The kind of the next value, without consuming it.
    mutating func peekKind() throws(Malformed) -> Kind {
        skipWhitespace()
        switch peekByte() {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw Malformed(reason: "expected a value")
        }
    }

    /// Validates and consumes any value.
    mutating func skipValue() throws(Malformed) {
        switch try peekKind() {
        case .object: try readObject { _, reader throws(Malformed) in try reader.skipValue() }
        case .array: try readArray { reader throws(Malformed) in try reader.skipValue() }
        case .string: _ = try scanString()
        case .number: _ = try scanNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    /// After the top-level value: only whitespace may follow.
    mutating func finish() throws(Malformed) {
        skipWhitespace()
        guard pos == end else { throw Malformed(reason: "trailing characters") }
    }

    // MARK: scalars

    mutating func readString() throws(Malformed) -> String {
        skipWhitespace()
        let s = try scanString()
        if let decoded = s.decoded { return String(decoding: decoded, as: UTF8.self) }
        return String(decoding: UnsafeBufferPointer(start: base + s.start, count: s.count), as: UTF8.self)
    }

    /// Reads a string without building it: where its text lies in the input, and — only
    /// when the JSON spelled it with escapes — the unescaped value. Lets a caller keep
    /// claims as positions in a buffer it already owns and make Strings only on demand.
    mutating func readText() throws(Malformed) -> (start: Int, count: Int, unescaped: String?) {
        skipWhitespace()
        let s = try scanString()
        return (s.start, s.count, s.decoded.map { String(decoding: $0, as: UTF8.self) })
    }

    /// Offset of the next value (whitespace skipped), to remember where a value starts.
    mutating func offsetOfNextValue() -> Int {
        skipWhitespace()
        return pos
    }

    /// Offset just past the last value read.
    var offset: Int { pos }

    /// Reads a string and returns the index of the candidate it equals (byte for byte,
    /// after unescaping), or nil when it equals none. Allocates nothing: used for claims
    /// that are only compared with configuration (`iss`, `client_id`, `aud`).
    mutating func readString(matchingOneOf candidates: [[UInt8]]) throws(Malformed) -> Int? {
        skipWhitespace()
        let s = try scanString()
        for (i, candidate) in candidates.enumerated() {
            if let decoded = s.decoded {
                if decoded == candidate { return i }
            } else if candidate.count == s.count,
                      candidate.withUnsafeBytes({ s.count == 0 || memcmp($0.baseAddress!, base + s.start, s.count) == 0 }) {
                return i
            }
        }
        return nil
    }

    mutating func readBool() throws(Malformed) -> Bool {
        skipWhitespace()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw Malformed(reason: "expected true or false")
    }

    mutating func readNull() throws(Malformed) {
        skipWhitespace()
        guard matchLiteral("null") else { throw Malformed(reason: "expected null") }
    }

    /// The largest magnitude a NumericDate may have: 2^53 − 1, the last integer a double
    /// (and so JavaScript's and Python's JSON readers) holds exactly.
    static let maxNumericDate: Int64 = 9_007_199_254_740_991

    /// A JSON number as a whole number of seconds (a JWT NumericDate, RFC 7519 §2). One
    /// rule (docs/TOKEN_VERIFICATION.md): a plain integer is taken exactly; a number with a
    /// fraction or an exponent is read as the nearest double and floored; either way its
    /// magnitude must be at most 2^53 − 1, or the token is malformed.
    mutating func readNumericDate() throws(Malformed) -> Int64 {
        skipWhitespace()
        let (start, count, isInteger) = try scanNumber()
        let digits = UnsafeBufferPointer(start: base + start, count: count)
        let outOfRange = Malformed(reason: "time claim beyond 2^53 - 1 seconds")
        if isInteger {
            let negative = digits[0] == UInt8(ascii: "-")
            // 17 digits already exceed 2^53 - 1 (16 digits); JSON allows no leading zeros.
            guard count - (negative ? 1 : 0) <= 16 else { throw outOfRange }
            var value: Int64 = 0
            for c in digits where c != UInt8(ascii: "-") { value = value * 10 + Int64(c &- UInt8(ascii: "0")) }
            guard value <= Self.maxNumericDate else { throw outOfRange }
            return negative ? -value : value
        }
        var text = [CChar](repeating: 0, count: count + 1)
        for i in 0..<count { text[i] = CChar(bitPattern: digits[i]) }
        let d = strtod(text, nil)
        guard d.isFinite, abs(d) <= Double(Self.maxNumericDate) else { throw outOfRange }
        return Int64(d.rounded(.down))
    }

    // MARK: scanning

    @inline(__always) private func peekByte() -> UInt8 { pos < end ? base[pos] : 0 }

    @inline(__always) private mutating func skipWhitespace() {
        while pos < end {
            switch base[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard end - pos >= n, memcmp(base + pos, literal.utf8Start, n) == 0 else { return false }
        pos += n
        return true
    }

    private mutating func readKey(escapedKeys: inout [UnsafeMutableBufferPointer<UInt8>]) throws(Malformed) -> JSONKey {
        guard peekByte() == UInt8(ascii: "\"") else { throw Malformed(reason: "expected a key") }
        let s = try scanString()
        guard let decoded = s.decoded else { return JSONKey(bytes: UnsafeBufferPointer(start: base + s.start, count: s.count)) }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(decoded.count, 1))
        _ = buffer.initialize(from: decoded)
        escapedKeys.append(buffer)
        return JSONKey(bytes: UnsafeBufferPointer(rebasing: buffer[..<decoded.count]))
    }

    /// Consumes a string at `pos` (which is at the opening quote). Returns the raw content
    /// range, and the decoded bytes when the string had escapes.
    private mutating func scanString() throws(Malformed) -> (start: Int, count: Int, decoded: [UInt8]?) {
        guard peekByte() == UInt8(ascii: "\"") else { throw Malformed(reason: "expected a string") }
        pos += 1
        let start = pos
        var escaped = false
        while true {
            // Fast path: skip 8 plain ASCII bytes at a time (no quote, backslash, control
            // character or non-ASCII byte among them), found with SWAR bit tricks.
            while pos + 8 <= end {
                let x = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
                let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                let quote = x ^ (ones &* 0x22), backslash = x ^ (ones &* 0x5C)
                let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                    | (x &- ones &* 0x20) | x
                if special & highs != 0 { break }
                pos += 8
            }
            guard pos < end else { throw Malformed(reason: "unterminated string") }
            let c = base[pos]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard pos + 1 < end else { throw Malformed(reason: "unterminated string") }
                switch base[pos + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    pos += 2
                case UInt8(ascii: "u"):
                    let unit = try hex4(at: pos + 2)
                    guard unit != 0 else { throw Malformed(reason: "U+0000 in a string") }
                    pos += 6
                    if (0xD800...0xDBFF).contains(unit) {
                        guard pos + 1 < end, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u"),
                              (0xDC00...0xDFFF).contains(try hex4(at: pos + 2))
                        else { throw Malformed(reason: "unpaired surrogate") }
                        pos += 6
                    } else if (0xDC00...0xDFFF).contains(unit) {
                        throw Malformed(reason: "unpaired surrogate")
                    }
                default:
                    throw Malformed(reason: "bad escape")
                }
            } else if c < 0x20 {
                throw Malformed(reason: "control character in string")
            } else if c < 0x80 {
                pos += 1
            } else {
                pos += try utf8SequenceLength(at: pos)
            }
        }
        let count = pos - start
        pos += 1  // closing quote
        return (start, count, escaped ? decodeEscapes(start: start, count: count) : nil)
    }

    private func hex4(at p: Int) throws(Malformed) -> UInt32 {
        guard p + 4 <= end else { throw Malformed(reason: "bad \\u escape") }
        var v: UInt32 = 0
        for i in 0..<4 {
            let c = base[p + i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw Malformed(reason: "bad \\u escape")
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    /// Length of the well-formed UTF-8 sequence at `p` (Unicode Table 3-7), or throws.
    private func utf8SequenceLength(at p: Int) throws(Malformed) -> Int {
        let b0 = base[p]
        @inline(__always) func cont(_ i: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            p + i < end && (lo...hi).contains(base[p + i])
        }
        switch b0 {
        case 0xC2...0xDF: if cont(1) { return 2 }
        case 0xE0: if cont(1, 0xA0) && cont(2) { return 3 }
        case 0xE1...0xEC, 0xEE...0xEF: if cont(1) && cont(2) { return 3 }
        case 0xED: if cont(1, 0x80, 0x9F) && cont(2) { return 3 }
        case 0xF0: if cont(1, 0x90) && cont(2) && cont(3) { return 4 }
        case 0xF1...0xF3: if cont(1) && cont(2) && cont(3) { return 4 }
        case 0xF4: if cont(1, 0x80, 0x8F) && cont(2) && cont(3) { return 4 }
        default: break
        }
        throw Malformed(reason: "invalid UTF-8")
    }

    /// Second pass over an already validated string with escapes.
    private func decodeEscapes(start: Int, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var p = start
        let stop = start + count
        func hex(_ at: Int) -> UInt32 { (try? hex4(at: at)) ?? 0 }
        while p < stop {
            let c = base[p]
            guard c == UInt8(ascii: "\\") else { out.append(c); p += 1; continue }
            let e = base[p + 1]
            switch e {
            case UInt8(ascii: "b"): out.append(0x08); p += 2
            case UInt8(ascii: "f"): out.append(0x0C); p += 2
            case UInt8(ascii: "n"): out.append(0x0A); p += 2
            case UInt8(ascii: "r"): out.append(0x0D); p += 2
            case UInt8(ascii: "t"): out.append(0x09); p += 2
            case UInt8(ascii: "u"):
                var scalar = hex(p + 2)
                p += 6
                if (0xD800...0xDBFF).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex(p + 2) - 0xDC00)
                    p += 6
                }
                appendUTF8(scalar, to: &out)
            default: out.append(e); p += 2  // \" \\ \/
            }
        }
        return out
    }

    private func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }

    /// Consumes a number per the JSON grammar; returns its text range and whether it is
    /// a plain integer (no fraction, no exponent).
    private mutating func scanNumber() throws(Malformed) -> (start: Int, count: Int, isInteger: Bool) {
        let start = pos
        var isInteger = true
        if peekByte() == UInt8(ascii: "-") { pos += 1 }
        func digits(_ r: inout Int) -> Int {
            let s = r
            while r < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(base[r]) { r += 1 }
            return r - s
        }
        if peekByte() == UInt8(ascii: "0") {
            pos += 1
        } else {
            guard digits(&pos) > 0 else { throw Malformed(reason: "bad number") }
        }
        if peekByte() == UInt8(ascii: ".") {
            pos += 1; isInteger = false
            guard digits(&pos) > 0 else { throw Malformed(reason: "bad number") }
        }
        if peekByte() == UInt8(ascii: "e") || peekByte() == UInt8(ascii: "E") {
            pos += 1; isInteger = false
            if peekByte() == UInt8(ascii: "+") || peekByte() == UInt8(ascii: "-") { pos += 1 }
            guard digits(&pos) > 0 else { throw Malformed(reason: "bad number") }
        }
        return (start, pos - start, isInteger)
    }
}

/// An object member's key, unescaped. Only valid while the reader's object is being
/// read; never stored.
struct JSONKey: Equatable {
    let bytes: UnsafeBufferPointer<UInt8>

    var count: Int { bytes.count }

    /// Cheap summary for duplicate detection; equal keys have equal fingerprints.
    var fingerprint: Int { bytes.count &* 7 &+ Int(bytes.first ?? 0) &+ Int(bytes.last ?? 0) &* 3 }

    /// Whether the key is `name`. Claim names are short, and a claims object asks this a
    /// dozen times per member, so names of up to 8 bytes are compared as one word rather
    /// than through a `memcmp` call.
    @inline(__always)
    func matches(_ name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        guard bytes.count == n else { return false }
        if n == 0 { return true }
        if n <= 8 { return Self.word(bytes.baseAddress!, n) == Self.word(name.utf8Start, n) }
        return memcmp(bytes.baseAddress!, name.utf8Start, n) == 0
    }

    /// The first `n` (1...8) bytes at `p` as one integer, without reading past them.
    @inline(__always)
    private static func word(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(p[i]) &<< (8 &* i) }
        return w
    }

    static func == (a: JSONKey, b: JSONKey) -> Bool {
        a.bytes.count == b.bytes.count
            && (a.bytes.count == 0 || memcmp(a.bytes.baseAddress!, b.bytes.baseAddress!, a.bytes.count) == 0)
    }
}
