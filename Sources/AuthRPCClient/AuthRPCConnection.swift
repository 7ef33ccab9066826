import NIOCore
import NIOPosix
import Synchronization
import Wire

/// One TCP connection to an authrpc server. Many calls may be outstanding at
/// once on it; each gets its own id and its own answer.
public final class AuthRPCConnection: Sendable {
    private let channel: any Channel
    private let nextID = Atomic<UInt64>(1)
    private let closedBy: ClosedBy

    private init(channel: any Channel, closedBy: ClosedBy) {
        self.channel = channel
        self.closedBy = closedBy
    }

    /// Connects to `host:port`. `maxFrameBytes` bounds a single answer. With `tls`, the
    /// connection is TLS 1.3 and this returns once the handshake is done; a handshake that
    /// fails throws `AuthRPCClientError.tls` saying why.
    public static func connect(
        host: String, port: Int,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: Duration = .seconds(5),
        maxFrameBytes: Int = 16 << 20,
        tls: ClientTLS? = nil
    ) async throws -> AuthRPCConnection {
        let loop = group.next()
        let ready = loop.makePromise(of: Void.self)
        let closedBy = ClosedBy()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let tls {
                            try sync.addHandlers(tls.makeHandlers(host: host, ready: ready,
                                                                  handshakeTimeout: TimeAmount(connectTimeout),
                                                                  closedBy: closedBy))
                        } else {
                            ready.succeed()
                        }
                        try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
                        try sync.addHandler(ClientHandler())
                    }
                }
                .connect(host: host, port: port)
                .get()
        } catch {
            ready.fail(error)
            throw error
        }
        do {
            try await ready.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        return AuthRPCConnection(channel: channel, closedBy: closedBy)
    }

    /// Sends one request and waits for its answer. The id is chosen here. `traceparent`:
    /// W3C trace context for the server's logs (SPEC §9); "" sends none.
    public func call(_ body: Request.Body, deadlineMs: UInt32 = 0, traceparent: String = "") async throws -> Response {
        try await send(Request(id: makeID(), deadlineMs: deadlineMs, traceparent: traceparent, body: body)).get()
    }

    /// A fresh id, unique on this connection.
    public func makeID() -> UInt64 {
        nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Sends `request` as is (its id must not be in flight already) without
    /// waiting; for pipelining many requests before reading answers.
    public func send(_ request: Request, flush: Bool = true) -> EventLoopFuture<Response> {
        let promise = channel.eventLoop.makePromise(of: Response.self)
        let write = channel.write((request, promise))
        if flush { channel.flush() }
        let closedBy = self.closedBy
        write.whenFailure { error in
            // A write on a connection TLS closed fails with the reason TLS gave.
            if let reason = closedBy.recorded, case ChannelError.ioOnClosedChannel = error {
                promise.fail(reason)
            } else {
                promise.fail(error)
            }
        }
        return promise.futureResult
    }

    /// Flushes requests sent with `flush: false`.
    public func flush() { channel.flush() }

    public func close() async {
        try? await channel.close()
    }

    public var isActive: Bool { channel.isActive }
}
