import CAuthRPCProto

/// A `VerifyTokenResponse` serialized once, to be sent again and again.
///
/// A repeat token gets the same claims every time; serializing them anew for each
/// answer (a dozen C string copies and a pack) is most of what a cache hit costs on
/// the wire. This holds the bytes of `Response` field 20 (`verify_token`: tag, length,
/// the packed message), which `Response` appends after its other fields. Protobuf
/// fields may come in any order, so the frame decodes exactly like one encoded whole.
public struct EncodedVerifyTokenResponse: Sendable, Equatable {
    /// Tag, length and packed `VerifyTokenResponse`.
    let fieldBytes: [UInt8]

    /// Packs `response` with protobuf-c. Throws for a string holding U+0000, which
    /// protobuf-c would cut short.
    public init(_ response: VerifyTokenResponse) throws(WireError) {
        fieldBytes = try withCArena { arena throws(WireError) in
            let message = response.cMessage(in: arena)
            try arena.checkEncodable()
            return ProtobufC.encodedField(UnsafePointer(message), tag: Self.responseFieldTag)
        }
    }

    /// Writes the answer straight from where its values lie (a verified token's payload),
    /// without a `String` per claim or a protobuf-c struct: the same bytes `init(_:)` packs
    /// for the same claims, in one allocation. Throws for a string holding U+0000, which
    /// this protocol does not carry.
    public init<Source: ClaimsFieldSource>(claims source: Source) throws(WireError) {
        let layout = ClaimsWireLayout.claims
        var counter = ProtobufFieldWriter()
        layout.write(source, to: &counter)
        if counter.sawNUL { throw .stringContainsNUL(field: "claims") }
        let claimsCount = counter.count
        // VerifyTokenResponse { Claims claims = 1; }: always present, as the message is.
        let responseCount = ProtobufFieldWriter.varintSize(Self.claimsFieldTag)
            + ProtobufFieldWriter.varintSize(UInt64(claimsCount)) + claimsCount
        let total = Self.responseFieldTag.count + ProtobufFieldWriter.varintSize(UInt64(responseCount)) + responseCount
        fieldBytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            var writer = ProtobufFieldWriter(into: buffer.baseAddress!)
            Self.responseFieldTag.withUnsafeBytes { writer.bytes($0) }
            writer.varint(UInt64(responseCount))
            writer.varint(Self.claimsFieldTag)
            writer.varint(UInt64(claimsCount))
            layout.write(source, to: &writer)
            precondition(writer.count == total, "claims wrote a different size than they counted")
            count = total
        }
    }

    /// Bytes held, for memory accounting.
    public var byteCount: Int { fieldBytes.count }

    /// The response these bytes hold, decoded again (for people, not the hot path).
    public var response: VerifyTokenResponse? {
        let packed = fieldBytes.dropFirst(Self.responseFieldTag.count).drop { $0 & 0x80 != 0 }.dropFirst()
        return try? Array(packed).withUnsafeBytes { bytes in
            try ProtobufC.decode(bytes, as: Authrpc__V1__VerifyTokenResponse.self, VerifyTokenResponse.init(c:))
        }
    }

    /// `Response.verify_token`'s key as a varint (field 20, length-delimited: A2 01).
    static let responseFieldTag: [UInt8] = {
        let number = ProtobufC.fieldNumber("verify_token", of: Authrpc__V1__Response.descriptor)
        var tag = ProtobufFieldWriter.tag(field: number, wireType: 2)
        var bytes: [UInt8] = []
        while tag >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: tag) | 0x80)
            tag >>= 7
        }
        bytes.append(UInt8(tag))
        return bytes
    }()

    /// `VerifyTokenResponse.claims`' key.
    static let claimsFieldTag = ProtobufFieldWriter.tag(
        field: ProtobufC.fieldNumber("claims", of: Authrpc__V1__VerifyTokenResponse.descriptor), wireType: 2)
}

extension ProtobufC {
    /// A field's number, by its proto name, from the generated descriptor.
    static func fieldNumber(_ name: String, of descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> UInt32 {
        guard let field = protobuf_c_message_descriptor_get_field_by_name(descriptor, name) else {
            preconditionFailure("\(String(cString: descriptor.pointee.name)) has no field \(name)")
        }
        return field.pointee.id
    }
}
