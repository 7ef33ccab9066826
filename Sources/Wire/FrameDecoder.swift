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
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return .needMoreData
        }
        guard Int(length) <= maxFrameBytes else {
            poisoned = true
            buffer.moveReaderIndex(to: buffer.writerIndex)
            context.fireChannelRead(Self.wrapInboundOut(.tooLarge(declaredLength: length)))
            return .needMoreData
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let frame = buffer.readSlice(length: Int(length))!
        context.fireChannelRead(Self.wrapInboundOut(.frame(frame)))
        return .continue
    }

    /// A partial frame left at end of stream is dropped: the peer is gone and cannot be answered.
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}
