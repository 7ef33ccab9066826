import NIOCore

/// The `Response` frames of the hot path written without protobuf-c.
///
/// A VerifyToken answer for a known token is the envelope (`id`, `status`, and for a
/// failure `message`, `error_type`, `retry_after_ms`) plus a body serialized once earlier
/// (`Response.Body.verifyTokenEncoded`) or no body at all. Through protobuf-c that meant
/// building the envelope's C struct in the arena, sizing it and packing it for a few
/// bytes; here they are written straight into the batch's buffer, in the order and form
/// protobuf-c packs them (field order, proto3 defaults left out), so the frame is the
/// same byte for byte (`DirectEncodingTests`). Any other body goes through protobuf-c.
extension Response {
    /// Writes the frame and returns true when the body allows it (none, or pre-encoded);
    /// false, writing nothing, otherwise. Throws, writing nothing, for a string holding
    /// U+0000, as protobuf-c's route does.
    func writeFrameDirectly(into buffer: inout ByteBuffer) throws(WireError) -> Bool {
        let trailer: EncodedVerifyTokenResponse?
        switch body {
        case nil: trailer = nil
        case .verifyTokenEncoded(let encoded)?: trailer = encoded
        default: return false
        }
        var counter = ProtobufFieldWriter()
        writeEnvelope(to: &counter)
        guard !counter.sawNUL else { throw .stringContainsNUL(field: nil) }
        let size = counter.count
        let trailerCount = trailer?.fieldBytes.count ?? 0
        guard let length = UInt32(exactly: size + trailerCount) else {
            preconditionFailure("a \(size + trailerCount)-byte message cannot be framed with a 32-bit length")
        }
        buffer.writeInteger(length, endianness: .big)
        if size > 0 {
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                var writer = ProtobufFieldWriter(into: out.baseAddress!.assumingMemoryBound(to: UInt8.self))
                writeEnvelope(to: &writer)
                precondition(writer.count == size, "the envelope wrote a different size than it counted")
                return size
            }
        }
        if let trailer { buffer.writeBytes(trailer.fieldBytes) }
        return true
    }

    /// Fields 1-5 of `Response` (proto/authrpc.proto) as protobuf-c packs a proto3 message:
    /// in field order, each left out when it holds its default.
    private func writeEnvelope(to writer: inout ProtobufFieldWriter) {
        if id != 0 {
            writer.varint(ProtobufFieldWriter.tag(field: 1, wireType: 0))
            writer.varint(id)
        }
        if status != .ok {
            writer.varint(ProtobufFieldWriter.tag(field: 2, wireType: 0))
            // An enum is an int32: a negative one is its 64-bit two's complement.
            writer.varint(UInt64(bitPattern: Int64(status.rawValue)))
        }
        var text = message
        if !text.isEmpty { text.withUTF8 { writer.lengthDelimited(tag: ProtobufFieldWriter.tag(field: 3, wireType: 2), UnsafeRawBufferPointer($0)) } }
        text = errorType
        if !text.isEmpty { text.withUTF8 { writer.lengthDelimited(tag: ProtobufFieldWriter.tag(field: 4, wireType: 2), UnsafeRawBufferPointer($0)) } }
        if retryAfterMs != 0 {
            writer.varint(ProtobufFieldWriter.tag(field: 5, wireType: 0))
            writer.varint(UInt64(retryAfterMs))
        }
    }
}
