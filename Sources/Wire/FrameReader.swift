import NIOCore

/// SPEC §3 framing, pulled: bytes are appended as they arrive and frames taken out one
/// at a time, when the taker is ready for another.
///
/// The server reads this way so that frames it cannot handle yet stay as bytes in one
/// buffer: a pushing decoder hands every frame of a read over at once, and a client
/// flooding 8-byte frames then costs a queue entry per frame on top of its bytes.
/// After an oversize announcement every byte is dropped, as in `FrameDecoder`.
public struct FrameReader: Sendable {
    public let maxFrameBytes: Int
    private var buffer: ByteBuffer?
    private var poisoned = false

    public init(maxFrameBytes: Int) {
        precondition(maxFrameBytes >= 0)
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func append(_ bytes: ByteBuffer) {
        guard !poisoned, bytes.readableBytes > 0 else { return }
        guard buffer != nil, buffer!.readableBytes > 0 else {
            buffer = bytes  // nothing left over: take the read's buffer as it is
            return
        }
        // Keep only the partial frame before appending, so the buffer does not grow
        // with bytes already taken.
        buffer!.discardReadBytes()
        buffer!.writeImmutableBuffer(bytes)
    }

    /// The next frame, `.tooLarge` once an oversize length is seen, or nil until more
    /// bytes arrive.
    public mutating func next() -> InboundFrame? {
        guard !poisoned, buffer != nil else { return nil }
        switch FrameDecoder.parse(&buffer!, maxFrameBytes: maxFrameBytes) {
        case .frame(let frame):
            if buffer!.readableBytes == 0 { buffer = nil }
            return .frame(frame)
        case .tooLarge(let length):
            poisoned = true
            buffer = nil
            return .tooLarge(declaredLength: length)
        case .needMoreData:
            return nil
        }
    }

    /// Whether `next()` would return something now.
    public var hasFrame: Bool {
        guard !poisoned, let buffer, let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self)
        else { return false }
        return Int(length) > maxFrameBytes || buffer.readableBytes >= 4 + Int(length)
    }

    /// Bytes held: frames not taken yet and a partial frame.
    public var bufferedBytes: Int { buffer?.readableBytes ?? 0 }
}
