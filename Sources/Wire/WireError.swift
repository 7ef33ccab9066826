/// Why bytes could not become a message, or a message could not become bytes.
public enum WireError: Error, Sendable, Equatable {
    /// The frame's bytes are not a valid serialized message.
    case malformed
    /// A string field holds U+0000. protobuf-c keeps strings NUL-terminated, so such a
    /// string would silently end at that character on either side of the wire; it is
    /// refused instead. `field` is the field's proto path, e.g. `verify_token.token`, when
    /// known (decoding knows it; encoding from Swift values does not).
    case stringContainsNUL(field: String?)

    /// For people: what was wrong, naming the field but never its contents.
    public var description: String {
        switch self {
        case .malformed: "the frame is not a valid authrpc.v1 message"
        case .stringContainsNUL(let field?): "string field \(field) contains U+0000, which authrpc does not carry"
        case .stringContainsNUL(nil): "a string field contains U+0000, which authrpc does not carry"
        }
    }
}
