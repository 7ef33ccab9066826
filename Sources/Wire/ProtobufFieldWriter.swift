#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Protobuf wire format written by hand: varints and length-delimited bytes, in two
/// passes over the same calls. The first pass (`init()`) only counts, so that the
/// lengths of nested messages are known before a byte is written; the second
/// (`init(into:)`) writes into memory sized by the first, so an encode makes exactly one
/// allocation and no intermediate message.
///
/// Why not protobuf-c here: packing a message with protobuf-c means first building its C
/// struct tree, every string copied into C memory and measured with `strlen`. For an
/// answer whose strings already lie in a buffer (a verified token's payload) that detour
/// cost more than the rest of the answer (docs/BENCHMARKS.md). Only what the counting
/// pass saw is ever written, and every string is checked for U+0000 on that pass, which
/// this protocol does not carry (protobuf-c strings end there).
struct ProtobufFieldWriter {
    /// Where bytes go; nil while counting.
    private let out: UnsafeMutablePointer<UInt8>?
    /// Bytes written, or that would be.
    private(set) var count = 0
    /// A string given to `bytes` while counting held a NUL byte.
    private(set) var sawNUL = false

    /// The counting pass.
    init() { out = nil }

    /// The writing pass, into memory of at least the counted size.
    init(into out: UnsafeMutablePointer<UInt8>) { self.out = out }

    /// A base-128 varint, least significant group first (as protobuf encodes every
    /// integer type but the fixed and zigzag ones; a negative `int64` is its 64-bit
    /// two's complement, ten bytes).
    mutating func varint(_ value: UInt64) {
        guard let out else {
            count += Self.varintSize(value)
            return
        }
        var rest = value
        while rest >= 0x80 {
            out[count] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            count += 1
        }
        out[count] = UInt8(truncatingIfNeeded: rest)
        count += 1
    }

    /// Raw bytes, as they are (a string's UTF-8 or an already encoded part).
    mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if let out {
            memcpy(out + count, source, bytes.count)
        } else if memchr(source, 0, bytes.count) != nil {
            sawNUL = true
        }
        count += bytes.count
    }

    /// A length-delimited field (wire type 2): `tag`, the length, the bytes.
    mutating func lengthDelimited(tag: UInt64, _ value: UnsafeRawBufferPointer) {
        varint(tag)
        varint(UInt64(value.count))
        bytes(value)
    }

    /// Bytes a varint of `value` takes: 1 to 10.
    static func varintSize(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    /// The key of a field: its number and wire type (0 varint, 2 length-delimited).
    static func tag(field number: UInt32, wireType: UInt32) -> UInt64 {
        UInt64(number) << 3 | UInt64(wireType)
    }
}
