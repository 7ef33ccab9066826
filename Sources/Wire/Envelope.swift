import CAuthRPCProto
import NIOCore

// Hand-written parts of the root messages (SPEC §3/§4); the types, their body enums and
// their codecs are generated (Generated/Messages.swift, Generated/Codec.swift).

extension Response {
    /// A failed answer with no body.
    public static func failure(id: UInt64, _ status: Status, errorType: String, message: String,
                               retryAfterMs: UInt32 = 0) -> Response {
        Response(id: id, status: status, message: message, errorType: errorType, retryAfterMs: retryAfterMs)
    }
}

extension Request.Body {
    /// protobuf-c keeps fields it has no descriptor for in `base.unknown_fields`. Body
    /// fields start at 10 (SPEC §4) and a newer client adds new ones past the last known,
    /// so the first unknown field numbered 10 or more is taken as the body we cannot read.
    /// Unknown fields below 10 would be new envelope fields, not a body.
    static func unrecognizedBody(in base: ProtobufCMessage) -> Self? {
        guard base.n_unknown_fields > 0, let fields = base.unknown_fields else { return nil }
        let unknown = UnsafeBufferPointer(start: fields, count: Int(base.n_unknown_fields))
        return unknown.first { $0.tag >= 10 }.map { .unrecognized(fieldNumber: $0.tag) }
    }
}

/// The parts of a `Response` a load generator needs: which request it answers and how.
/// Decoding only these (protobuf-c still parses the whole message) skips turning the
/// body into Swift values, which would make the load generator, not the server, the
/// bottleneck of a benchmark.
public struct ResponseHead: Sendable, Equatable {
    public var id: UInt64
    public var status: Status
    public var errorType: String

    public static func decode(_ buffer: ByteBuffer) throws(WireError) -> ResponseHead {
        try ProtobufC.decode(buffer, as: Authrpc__V1__Response.self) { c in
            ResponseHead(id: c.id, status: Status(c: c.status),
                         errorType: c.status == AUTHRPC__V1__STATUS__OK ? "" : swiftString(c.error_type))
        }
    }
}
