/// Why bytes could not become a message.
public enum WireError: Error, Sendable, Equatable {
    /// The frame's bytes are not a valid serialized message.
    case malformed
}
