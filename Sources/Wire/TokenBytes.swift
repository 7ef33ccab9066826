import NIOCore

/// A token as the bytes it arrived in: the type of `VerifyTokenRequest.token` and
/// `CheckGroupsRequest.token`.
///
/// A token decoded from a request frame is a view of that frame's buffer (`Request.decode`
/// of a `ByteBuffer`), so the hot path neither copies its kilobyte nor allocates for it:
/// the verifier hashes and checks the bytes where they are, and only a token kept in the
/// verified-token cache is copied, once. A `String` is made only when asked for (`string`).
///
/// Its description never shows the token: a token in a log line is a credential leaked.
public struct TokenBytes: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The token: this buffer's readable bytes.
    public let buffer: ByteBuffer

    public init() { buffer = ByteBuffer() }
    public init(_ string: String) { buffer = ByteBuffer(string: string) }
    public init(stringLiteral value: String) { self.init(value) }
    /// The buffer's readable bytes are the token; a slice of a frame is not copied.
    public init(buffer: ByteBuffer) { self.buffer = buffer }

    /// The token as text; bytes that are not UTF-8 are repaired (U+FFFD), as protobuf
    /// strings read by protobuf-c are.
    public var string: String { String(buffer: buffer) }
    public var count: Int { buffer.readableBytes }
    public var isEmpty: Bool { buffer.readableBytes == 0 }

    /// The same token in storage of its own, for one kept past its request: a slice
    /// would keep the whole read buffer it came in alive.
    public var detached: TokenBytes {
        isEmpty ? TokenBytes() : TokenBytes(buffer: ByteBuffer(bytes: buffer.readableBytesView))
    }

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeReadableBytes(body)
    }

    public var description: String { "<token, \(count) bytes>" }
}

// Callers that hold the token as text (clients, the CLI, tests) build requests from it.
extension VerifyTokenRequest {
    public init(token: String, tokenUse: TokenUse = .any, requiredScopes: [String] = []) {
        self.init(token: TokenBytes(token), tokenUse: tokenUse, requiredScopes: requiredScopes)
    }
}

extension CheckGroupsRequest {
    public init(token: String, tokenUse: TokenUse = .any, allowedGroups: [String] = [],
                requiredGroups: [String] = [], prohibitedGroups: [String] = []) {
        self.init(token: TokenBytes(token), tokenUse: tokenUse, allowedGroups: allowedGroups,
                  requiredGroups: requiredGroups, prohibitedGroups: prohibitedGroups)
    }
}
