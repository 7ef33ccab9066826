import NIOCore

/// How `AUTHRPC_CONNECTION_BUFFER_BYTES` bounds what one connection can make the server
/// hold, split evenly between the two directions:
///
/// - **Answers not yet taken by the client**: the channel's write buffer water mark.
///   Above `high`, `ConnectionHandler` handles no more frames and reads nothing, however
///   cheap the answers would be, until the client has read enough to bring it under `low`.
/// - **Requests read ahead**: one read batch, `readsPerBatch` reads of at most
///   `readBufferBytes` each; NIO reads a whole batch before the handler can say stop.
///
/// So memory is bounded per connection by about the setting (plus one answer and the
/// decoder's partial frame), and in total by connections × the setting.
///
/// The kernel's send buffer is set to the water mark too. Left alone, Linux grows it to
/// megabytes, and a client that never reads would get that much work out of the server
/// before the water mark is even reached.
struct ConnectionBuffering: Sendable {
    let waterMark: ChannelOptions.Types.WriteBufferWaterMark
    let readBufferBytes: Int
    let readsPerBatch: UInt

    init(bytes: Int) {
        let half = max(bytes / 2, 8 << 10)
        waterMark = .init(low: half / 2, high: half)
        // NIO rounds the read buffer size up to a power of two: start from one that fits.
        readBufferBytes = min(64 << 10, Int(UInt(half / 2).previousPowerOfTwo))
        readsPerBatch = UInt(max(1, half / readBufferBytes))
    }

    /// `SO_SNDBUF` (the kernel doubles what it is given, for its own bookkeeping).
    var socketSendBuffer: SocketOptionValue { SocketOptionValue(waterMark.high) }

    var recvAllocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: min(2048, readBufferBytes), maximum: readBufferBytes)
    }
}

extension UInt {
    /// The largest power of two not above `self` (which must be positive).
    fileprivate var previousPowerOfTwo: UInt { 1 << (UInt.bitWidth - 1 - leadingZeroBitCount) }
}
