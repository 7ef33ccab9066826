import NIOCore

/// What the framing layer hands up: one frame's bytes, or the news that the peer
/// announced a frame larger than we accept.
public enum InboundFrame: Sendable, Equatable {
    case frame(ByteBuffer)
    /// SPEC §3: answered `FrameTooLarge`, then the connection closes.
    case tooLarge(declaredLength: UInt32)
}

/// SPEC §3 framing: a 4-byte big-endian length, then that many bytes.
///
/// The length is checked as soon as its four bytes arrive, before any body byte is
/// kept, so an announced 4 GiB frame costs nothing. (NIOExtras'
/// `LengthFieldBasedFrameDecoder` would cumulate up to `Int32.max` first.) After an
/// oversize announcement every further byte is dropped: the stream can no longer be
/// trusted to be in step.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = InboundFrame

    public let maxFrameBytes: Int
    private var poisoned = false

    public init(maxFrameBytes: Int) {
        precondition(maxFrameBytes >= 0)
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if poisoned {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        switch Self.parse(&buffer, maxFrameBytes: maxFrameBytes) {
        case .frame(let frame):
            context.fireChannelRead(Self.wrapInboundOut(.frame(frame)))
            return .continue
        case .tooLarge(let length):
            poisoned = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            context.fireChannelRead(Self.wrapInboundOut(.tooLarge(declaredLength: length)))
            return .needMoreData
        case .needMoreData:
            return .needMoreData
        }
    }

    enum Step {
        case frame(ByteBuffer)
        case tooLarge(UInt32)
        case needMoreData
    }

    /// One step of the framing, shared with `FrameReader`: the length is judged as soon
    /// as its four bytes are there; a whole frame is taken off the front of `buffer`.
    static func parse(_ buffer: inout ByteBuffer, maxFrameBytes: Int) -> Step {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return .needMoreData
        }
        guard Int(length) <= maxFrameBytes else { return .tooLarge(length) }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        return .frame(buffer.readSlice(length: Int(length))!)
    }

    /// A partial frame left at end of stream is dropped: the peer is gone and cannot be answered.
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
