import CAuthRPCProto

/// The fields of `Claims` (SPEC §4), named so that a caller can hand over their values
/// without building the message (`ClaimsFieldSource`).
public enum ClaimsMember: String, CaseIterable, Sendable {
    case sub, username, email
    case emailVerified = "email_verified"
    case groups
    case tokenUse = "token_use"
    case clientID = "client_id"
    case scopes, issuer
    case issuedAt = "issued_at"
    case expiresAt = "expires_at"
    case authTime = "auth_time"
    case jti
    case originJTI = "origin_jti"
    case payloadJSON = "payload_json"
}

/// Where a `Claims` message's values come from when it is written straight to wire format
/// (`EncodedVerifyTokenResponse.init(claims:)`): each string as bytes that stay valid for
/// the call, never as a `String` made for the occasion.
public protocol ClaimsFieldSource {
    /// A string field's UTF-8 bytes, empty when unset.
    func withBytes<R>(of member: ClaimsMember, _ body: (UnsafeRawBufferPointer) -> R) -> R
    /// Each element of a repeated string field, in order.
    func forEachElement(of member: ClaimsMember, _ body: (UnsafeRawBufferPointer) -> Void)
    /// A bool field.
    func flag(_ member: ClaimsMember) -> Bool
    /// An integer or enum field (an enum as its proto number).
    func integer(_ member: ClaimsMember) -> Int64
}

/// How `Claims` is laid out on the wire, read once from the protobuf-c descriptor that
/// `protoc-c` generated from the proto: field numbers and kinds in the order protobuf-c
/// packs them (ascending number). Nothing about the message is written down twice, and
/// what this writes is byte for byte what protobuf-c packs for the same values
/// (`ClaimsEncodingTests`, `AnswerEncodingDifferentialTests`).
struct ClaimsWireLayout: Sendable {
    enum Kind: Sendable { case string, repeatedString, bool, varint }

    struct Field: Sendable {
        let member: ClaimsMember
        let tag: UInt64
        let kind: Kind
    }

    let fields: [Field]
    /// Descriptor fields with no `ClaimsMember` (a field added to the proto and not yet
    /// here): never written, so they decode as their proto3 defaults. Tested to be empty.
    let unknownFieldNames: [String]

    static let claims = ClaimsWireLayout(
        ProtobufC.descriptor(of: Authrpc__V1__Claims.self, authrpc__v1__claims__init))

    init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        let all = UnsafeBufferPointer(start: descriptor.pointee.fields, count: Int(descriptor.pointee.n_fields))
        var fields: [Field] = []
        var unknown: [String] = []
        for field in all.sorted(by: { $0.id < $1.id }) {
            let name = String(cString: field.name)
            guard let member = ClaimsMember(rawValue: name) else {
                unknown.append(name)
                continue
            }
            let repeated = field.label == PROTOBUF_C_LABEL_REPEATED
            let kind: Kind
            switch field.type {
            case PROTOBUF_C_TYPE_STRING where repeated: kind = .repeatedString
            case PROTOBUF_C_TYPE_STRING: kind = .string
            case PROTOBUF_C_TYPE_BOOL where !repeated: kind = .bool
            case PROTOBUF_C_TYPE_INT64 where !repeated, PROTOBUF_C_TYPE_ENUM where !repeated: kind = .varint
            default: preconditionFailure("Claims.\(name): a field kind this encoder does not write")
            }
            let wireType: UInt32 = kind == .string || kind == .repeatedString ? 2 : 0
            fields.append(Field(member: member, tag: ProtobufFieldWriter.tag(field: field.id, wireType: wireType), kind: kind))
        }
        self.fields = fields
        self.unknownFieldNames = unknown
    }

    /// Writes every field that protobuf-c would pack for these values: proto3 scalars and
    /// strings only when not zero or empty, each element of a repeated field (empty ones too).
    func write<Source: ClaimsFieldSource>(_ source: Source, to writer: inout ProtobufFieldWriter) {
        for field in fields {
            switch field.kind {
            case .string:
                source.withBytes(of: field.member) { bytes in
                    if bytes.count > 0 { writer.lengthDelimited(tag: field.tag, bytes) }
                }
            case .repeatedString:
                source.forEachElement(of: field.member) { bytes in writer.lengthDelimited(tag: field.tag, bytes) }
            case .bool:
                if source.flag(field.member) {
                    writer.varint(field.tag)
                    writer.varint(1)
                }
            case .varint:
                let value = source.integer(field.member)
                if value != 0 {
                    writer.varint(field.tag)
                    writer.varint(UInt64(bitPattern: value))
                }
            }
        }
    }
}
