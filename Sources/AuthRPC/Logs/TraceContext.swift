/// A request's W3C Trace Context (`Request.traceparent`, SPEC §9), read only to be
/// logged: its trace id and parent id appear in the access and audit lines and go
/// nowhere else.
///
/// `version-traceid-parentid-flags`, lowercase hex (W3C Trace Context §3.2): version 2
/// digits, not `ff`; trace id 32 digits, not all zero; parent id 16, not all zero; flags 2.
/// Version `00` is exactly 55 characters; a later version may append `-…`, which is
/// ignored. Anything else reads as no trace context: a malformed header is the caller's
/// tracing problem, never a reason to refuse the request.
public struct TraceContext: Sendable, Equatable {
    public var traceID: String
    public var parentID: String

    public init?(_ header: String) {
        let bytes = Array(header.utf8)
        guard bytes.count >= 55 else { return nil }
        if bytes.count > 55 && (bytes[0] == 0x30 && bytes[1] == 0x30 || bytes[55] != 0x2D) { return nil }
        guard bytes[2] == 0x2D, bytes[35] == 0x2D, bytes[52] == 0x2D,
              Self.isHex(bytes[0..<2]), !(bytes[0] == 0x66 && bytes[1] == 0x66),
              Self.isHex(bytes[3..<35]), Self.isHex(bytes[36..<52]), Self.isHex(bytes[53..<55]),
              bytes[3..<35].contains(where: { $0 != 0x30 }), bytes[36..<52].contains(where: { $0 != 0x30 })
        else { return nil }
        traceID = String(decoding: bytes[3..<35], as: UTF8.self)
        parentID = String(decoding: bytes[36..<52], as: UTF8.self)
    }

    private static func isHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
