import CAuthRPCProto

/// A `VerifyTokenResponse` serialized once by protobuf-c, to be sent again and again.
///
/// A repeat token gets the same claims every time; serializing them anew for each
/// answer (a dozen C string copies and a pack) is most of what a cache hit costs on
/// the wire. This holds the bytes of `Response` field 20 (`verify_token`: tag, length,
/// the packed message), which `Response` appends after its other fields. Protobuf
/// fields may come in any order, so the frame decodes exactly like one encoded whole.
public struct EncodedVerifyTokenResponse: Sendable, Equatable {
    /// Tag, length and packed `VerifyTokenResponse`.
    let fieldBytes: [UInt8]

    /// Throws for a string holding U+0000, which protobuf-c would cut short.
    public init(_ response: VerifyTokenResponse) throws(WireError) {
        fieldBytes = try withCArena { arena throws(WireError) in
            let message = response.cMessage(in: arena)
            try arena.checkEncodable()
            // Field 20, wire type 2 (length-delimited).
            return ProtobufC.encodedField(UnsafePointer(message), tag: [0xA2, 0x01])
        }
    }

    /// Bytes held, for memory accounting.
    public var byteCount: Int { fieldBytes.count }

    /// The response these bytes hold, decoded again (for people, not the hot path).
    public var response: VerifyTokenResponse? {
        let packed = fieldBytes.dropFirst(2).drop { $0 & 0x80 != 0 }.dropFirst()
        return try? Array(packed).withUnsafeBytes { bytes in
            try ProtobufC.decode(bytes, as: Authrpc__V1__VerifyTokenResponse.self, VerifyTokenResponse.init(c:))
        }
    }
}
