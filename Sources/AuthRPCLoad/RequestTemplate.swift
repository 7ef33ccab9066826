import NIOCore
import Wire

/// A request encoded once by the codec, stamped with a fresh id per send.
///
/// Encoding a 1 KB token per request would make the load generator, not the server,
/// the bottleneck. The template is the codec's encoding of the request with id 0
/// (which proto3 omits); each send appends field 1 (`id`, varint) after it. Protobuf
/// parsers accept fields in any order and take the last value of a scalar field, so
/// the frame decodes exactly like `Request(id: id, ...)`.
public struct RequestTemplate: Sendable {
    /// What the request is meant to provoke, for the report ("valid", "expired", ...).
    public let label: String
    /// The `error_type` its answer should carry, "" for OK. An answer that differs
    /// counts as unexpected (`LoadReport.unexpected`): a benchmark against a server that
    /// rejects what it should accept must not look like a fast success.
    public let expectedErrorType: String
    private let encoded: [UInt8]

    /// Throws for a string that cannot be sent as is (U+0000).
    public init(label: String, body: Request.Body, deadlineMs: UInt32 = 0, expectedErrorType: String = "") throws(WireError) {
        self.label = label
        self.expectedErrorType = expectedErrorType
        self.encoded = try Request(id: 0, deadlineMs: deadlineMs, body: body).encodedBytes()
    }

    public func writeFrame(id: UInt64, into buffer: inout ByteBuffer) {
        let idBytes = Self.varintLength(id)
        buffer.writeInteger(UInt32(encoded.count + 1 + idBytes), endianness: .big)
        buffer.writeBytes(encoded)
        buffer.writeInteger(UInt8(0x08))  // field 1, wire type 0 (varint)
        var value = id
        while value >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.writeInteger(UInt8(value))
    }

    public var frameSizeHint: Int { encoded.count + 16 }

    static func varintLength(_ value: UInt64) -> Int {
        var n = 1, v = value
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }
}
