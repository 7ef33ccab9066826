import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// VerifyToken and CheckGroups requests read in place, the two requests of the hot path.
///
/// Through protobuf-c a request's token is copied twice (into the unpacked struct, then
/// into a Swift value), with the unpack and its free around it; read here, the token stays
/// a view of the frame's buffer (`TokenBytes`) and the request costs no allocation.
///
/// This reader takes only the plain shape those requests have (each field once, of its
/// declared wire type, no field this build does not know, no 0x00 byte anywhere) and
/// answers nil for everything else, which then goes through protobuf-c and `WireScan` as
/// every other request does: a frame decodes to the same `Request` either way
/// (`DirectDecodingTests` holds the two paths to that on valid, odd and mutated frames).
extension Request {
    static func directlyDecoded(_ buffer: ByteBuffer) -> Request? {
        buffer.withUnsafeReadableBytes { bytes -> Request? in
            // A 0x00 byte may be a NUL in a string, which protobuf-c would cut short and
            // `WireScan` refuses; typical requests have none.
            guard let base = bytes.baseAddress, bytes.count > 0, memchr(base, 0, bytes.count) == nil else { return nil }
            var request = Request()
            var seen = FieldsSeen()
            var body: (number: Int, bytes: UnsafeRawBufferPointer)?
            var fields = FieldReader(bytes)
            while let field = fields.next() {
                guard seen.first(field.number) else { return nil }
                switch (field.number, field.value) {
                case (Envelope.id, .varint(let value)):
                    request.id = value
                case (Envelope.deadlineMs, .varint(let value)):
                    guard let deadline = UInt32(exactly: value) else { return nil }
                    request.deadlineMs = deadline
                case (Envelope.traceparent, .lengthDelimited(let value)):
                    request.traceparent = String(decoding: value, as: UTF8.self)
                case (Envelope.verifyToken, .lengthDelimited(let value)), (Envelope.checkGroups, .lengthDelimited(let value)):
                    body = (field.number, value)
                default:
                    return nil
                }
            }
            guard fields.isComplete, let body else { return nil }
            // Where the body's bytes sit in the buffer, so the token can be a slice of it.
            let offset = buffer.readerIndex + (body.bytes.baseAddress.map { $0 - base } ?? 0)
            switch body.number {
            case Envelope.verifyToken:
                guard let message = verifyToken(body.bytes, at: offset, in: buffer) else { return nil }
                request.body = .verifyToken(message)
            default:
                guard let message = checkGroups(body.bytes, at: offset, in: buffer) else { return nil }
                request.body = .checkGroups(message)
            }
            return request
        }
    }

    /// Field numbers of `Request` (proto/authrpc.proto).
    private enum Envelope {
        static let id = 1, deadlineMs = 2, traceparent = 3, verifyToken = 20, checkGroups = 21
    }

    private static func verifyToken(_ bytes: UnsafeRawBufferPointer, at offset: Int, in buffer: ByteBuffer) -> VerifyTokenRequest? {
        var scopes: [String] = []
        let read = tokenBody(bytes, at: offset, in: buffer) { number, text in
            guard number == 3 else { return false }
            scopes.append(text)
            return true
        }
        guard let (token, use) = read else { return nil }
        return VerifyTokenRequest(token: token, tokenUse: use, requiredScopes: scopes)
    }

    private static func checkGroups(_ bytes: UnsafeRawBufferPointer, at offset: Int, in buffer: ByteBuffer) -> CheckGroupsRequest? {
        var allowed: [String] = [], required: [String] = [], prohibited: [String] = []
        let read = tokenBody(bytes, at: offset, in: buffer) { number, text in
            switch number {
            case 3: allowed.append(text)
            case 4: required.append(text)
            case 5: prohibited.append(text)
            default: return false
            }
            return true
        }
        guard let (token, use) = read else { return nil }
        return CheckGroupsRequest(token: token, tokenUse: use, allowedGroups: allowed, requiredGroups: required,
                                  prohibitedGroups: prohibited)
    }

    /// The body both requests share the shape of: `token` (1) and `token_use` (2), each
    /// at most once, then repeated strings, which `string` takes by field number (false:
    /// not a field of this message). nil for anything this reader leaves to protobuf-c.
    private static func tokenBody(_ bytes: UnsafeRawBufferPointer, at offset: Int, in buffer: ByteBuffer,
                                  string: (Int, String) -> Bool) -> (TokenBytes, TokenUse)? {
        var token = TokenBytes()
        var use = TokenUse.any
        var seen = FieldsSeen()
        var fields = FieldReader(bytes)
        while let field = fields.next() {
            switch (field.number, field.value) {
            case (1, .lengthDelimited(let value)):
                guard seen.first(1), let slice = slice(value, of: bytes, at: offset, in: buffer) else { return nil }
                token = slice
            case (2, .varint(let value)):
                guard seen.first(2), let read = tokenUse(value) else { return nil }
                use = read
            case (let number, .lengthDelimited(let value)):
                guard string(number, String(decoding: value, as: UTF8.self)) else { return nil }
            default:
                return nil
            }
        }
        return fields.isComplete ? (token, use) : nil
    }

    /// `value` (inside `message`, whose first byte is at `offset` in `buffer`) as a slice
    /// of the buffer: no copy.
    private static func slice(_ value: UnsafeRawBufferPointer, of message: UnsafeRawBufferPointer, at offset: Int,
                              in buffer: ByteBuffer) -> TokenBytes? {
        guard value.count > 0 else { return TokenBytes() }
        guard let start = value.baseAddress, let base = message.baseAddress,
              let slice = buffer.getSlice(at: offset + (start - base), length: value.count) else { return nil }
        return TokenBytes(buffer: slice)
    }

    /// A `TokenUse` as protobuf-c reads an enum (an int32 varint); nil for a value past
    /// int32, which is left to protobuf-c.
    private static func tokenUse(_ value: UInt64) -> TokenUse? {
        Int32(exactly: value).map(TokenUse.init(wire:))
    }
}

/// Which field numbers below 64 were met: the direct reader takes each singular field once.
private struct FieldsSeen {
    private var bits: UInt64 = 0

    /// True the first time `number` is met.
    mutating func first(_ number: Int) -> Bool {
        guard number > 0, number < 64 else { return false }
        let bit: UInt64 = 1 << UInt64(number)
        defer { bits |= bit }
        return bits & bit == 0
    }
}
