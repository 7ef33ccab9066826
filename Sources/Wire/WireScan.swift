import CAuthRPCProto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A look at a serialized root message (`Request`, `Response`) before protobuf-c unpacks
/// it, for the two things protobuf-c would otherwise change without a word:
///
/// - **U+0000 in a string field.** protobuf-c hands strings over NUL-terminated, so
///   `"admin\0-attacker"` would be read as `"admin"`. Such a message is refused.
/// - **A `oneof` member sent more than once.** Protobuf says repeated occurrences of a
///   message field merge (parsing a concatenation equals merging), and Python's and Go's
///   runtimes do so; protobuf-c frees the first occurrence and keeps the last. The scan
///   finds that case and rewrites the bytes so protobuf-c sees one merged occurrence.
///
/// Cheap on the hot path: a frame with no 0x00 byte anywhere (a typical VerifyToken
/// request) cannot hold a NUL in a string, so only its top-level fields are walked.
/// Structure the scan cannot follow is left for protobuf-c to reject.
enum WireScan {
    /// What the bytes should be unpacked as.
    enum Verdict {
        /// The bytes as they are.
        case asIs
        /// A oneof member came more than once: these bytes hold it merged.
        case merged([UInt8])
    }

    static func check(_ bytes: UnsafeRawBufferPointer,
                      _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) throws(WireError) -> Verdict {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .asIs }
        if memchr(base, 0, bytes.count) != nil, let field = nulString(in: bytes, descriptor, path: "") {
            throw .stringContainsNUL(field: field)
        }
        return mergedOneof(bytes, descriptor).map(Verdict.merged) ?? .asIs
    }

    // MARK: NUL in strings

    /// The path of the first string field (at any depth) holding a 0x00 byte, or nil.
    private static func nulString(in bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                                  path: String, depth: Int = 0) -> String? {
        guard depth < 32 else { return nil }
        var fields = FieldReader(bytes)
        while let field = fields.next() {
            guard case .lengthDelimited(let value) = field.value,
                  let fd = protobuf_c_message_descriptor_get_field(descriptor, UInt32(truncatingIfNeeded: field.number))
            else { continue }
            let name = path + String(cString: fd.pointee.name)
            switch fd.pointee.type {
            case PROTOBUF_C_TYPE_STRING:
                if value.count > 0, memchr(value.baseAddress!, 0, value.count) != nil { return name }
            case PROTOBUF_C_TYPE_MESSAGE:
                guard let sub = fd.pointee.descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self) else { continue }
                if let found = nulString(in: value, sub, path: name + ".", depth: depth + 1) { return found }
            default:
                continue
            }
        }
        return nil
    }

    // MARK: repeated oneof members

    /// When the member a oneof ends up holding came more than once in a row (with no
    /// other member of that oneof in between), the message re-encoded with that member's
    /// occurrences concatenated into one; nil when there is nothing to merge. Other
    /// members of the oneof that came earlier are dropped, as a later member replaces
    /// them under protobuf's rules.
    private static func mergedOneof(_ bytes: UnsafeRawBufferPointer,
                                    _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> [UInt8]? {
        // Each root message of the protocol has one oneof (`body`), so members of any oneof
        // are tracked together.
        // First only count (every request passes here, and nearly none has anything to
        // merge: no allocation); collect the occurrences only when there are several.
        var member = 0
        var count = 0
        var runStart = 0
        var ordinal = 0
        var fields = FieldReader(bytes)
        while let field = fields.next() {
            defer { ordinal += 1 }
            guard case .lengthDelimited = field.value, isOneofMember(field.number, descriptor) else { continue }
            if field.number != member {
                member = field.number
                count = 0
                runStart = ordinal
            }
            count += 1
        }
        guard count > 1, fields.isComplete else { return nil }

        var occurrences: [UnsafeRawBufferPointer] = []
        fields = FieldReader(bytes)
        ordinal = 0
        while let field = fields.next() {
            defer { ordinal += 1 }
            if ordinal >= runStart, field.number == member, case .lengthDelimited(let value) = field.value {
                occurrences.append(value)
            }
        }

        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        fields = FieldReader(bytes)
        while let field = fields.next() {
            if case .lengthDelimited = field.value, isOneofMember(field.number, descriptor) { continue }
            out.append(contentsOf: field.raw)
        }
        appendVarint(UInt64(member) << 3 | 2, to: &out)
        appendVarint(UInt64(occurrences.reduce(0) { $0 + $1.count }), to: &out)
        for value in occurrences { out.append(contentsOf: value) }
        return out
    }

    private static func isOneofMember(_ number: Int, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> Bool {
        guard let fd = protobuf_c_message_descriptor_get_field(descriptor, UInt32(truncatingIfNeeded: number)) else {
            return false
        }
        return fd.pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0
    }

    private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}

/// Walks the top-level fields of serialized protobuf bytes (wire format only, no schema).
/// Stops at the first thing it cannot read; `isComplete` tells whether it got to the end.
struct FieldReader {
    struct Field {
        enum Value {
            case varint(UInt64)
            /// A fixed 32- or 64-bit value (not read).
            case fixed
            case lengthDelimited(UnsafeRawBufferPointer)
        }
        let number: Int
        let value: Value
        /// The whole field as it was sent: tag, length and value.
        let raw: UnsafeRawBufferPointer
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var failed = false
    /// The walk reached the end of the bytes without meeting anything it could not read.
    private(set) var isComplete = false

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.isComplete = bytes.isEmpty
    }

    mutating func next() -> Field? {
        guard !failed else { return nil }
        guard position < bytes.count else {
            isComplete = true
            return nil
        }
        let start = position
        guard let tag = readVarint(), tag >> 3 > 0, tag >> 3 <= 536_870_911 else { return stop() }
        let value: Field.Value
        switch tag & 7 {
        case 0: guard let varint = readVarint() else { return stop() }; value = .varint(varint)
        case 1: guard skip(8) else { return stop() }; value = .fixed
        case 5: guard skip(4) else { return stop() }; value = .fixed
        case 2:
            guard let length = readVarint(), length <= UInt64(bytes.count - position) else { return stop() }
            let from = position
            position += Int(length)
            value = .lengthDelimited(UnsafeRawBufferPointer(rebasing: bytes[from..<position]))
        default:
            return stop()  // groups (3, 4) and invalid types: protobuf-c's call
        }
        return Field(number: Int(tag >> 3), value: value, raw: UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
    }

    private mutating func stop() -> Field? {
        failed = true
        return nil
    }

    private mutating func skip(_ n: Int) -> Bool {
        guard bytes.count - position >= n else { return false }
        position += n
        return true
    }

    private mutating func readVarint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
