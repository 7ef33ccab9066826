import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Wire

/// A client that sends arbitrary bytes and collects whatever frames come back,
/// for the cases a well-behaved client never produces.
final class RawConnection: @unchecked Sendable {
    let channel: any Channel
    private let collector: Collector

    /// `from`: a local address to connect from (another loopback address is another host).
    static func connect(port: Int, group: any EventLoopGroup, from local: String? = nil) async throws -> RawConnection {
        let collector = Collector()
        var bootstrap = ClientBootstrap(group: group)
        if let local { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: local, port: 0)) }
        let channel = try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: 1 << 24)))
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, collector: collector)
    }

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func sendFrame(_ payload: [UInt8]) async throws {
        try await send(framed(payload))
    }

    /// Waits for `count` responses in total (or the timeout) and returns all received so far.
    func responses(atLeast count: Int, timeout: Duration = .seconds(5)) async -> [Response] {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            let got = collector.snapshot
            if got.count >= count { return got }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return collector.snapshot
    }

    /// Waits until the server closes the connection; false if it is still open at the timeout.
    func waitForClose(timeout: Duration = .seconds(5)) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if !channel.isActive { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return !channel.isActive
    }

    func close() async { try? await channel.close() }

    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = InboundFrame
        private let lock = NIOLock()
        private var received: [Response] = []

        var snapshot: [Response] { lock.withLock { received } }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .frame(let bytes) = unwrapInboundIn(data), let response = try? Response.decode(bytes) else { return }
            lock.withLock { received.append(response) }
        }
    }
}

/// 4-byte big-endian length prefix.
func framed(_ payload: [UInt8]) -> [UInt8] {
    let n = UInt32(payload.count)
    return [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + payload
}
