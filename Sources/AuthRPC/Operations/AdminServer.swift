public import Logging
public import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// The admin listener of SPEC §9: plain HTTP/1.1 on its own address
/// (`AUTHRPC_ADMIN_LISTEN`), on the service's event loops, never on the RPC port.
///
/// - `GET /metrics`: Prometheus text (`MetricsEndpoint`).
/// - `GET /healthz`: 200 while the process serves.
/// - `GET /readyz`: 200 when every pool has keys and the server is not draining, else
///   503 with a one-line reason.
/// - `GET /version`: `{"version":…,"commit":…}`.
///
/// Another path is 404; another method on these paths is 405. A `Service`: the
/// application's `ServiceGroup` runs it and closes it at shutdown, after the RPC server
/// has drained, so `/readyz` answers 503 through the whole drain.
public final class AdminServer: Service, Sendable {
    /// What the endpoints answer with, read on every request.
    public struct Routes: Sendable {
        /// The `/metrics` body.
        public var metrics: @Sendable () -> [UInt8]
        /// nil when ready; else why not, in one line.
        public var notReadyReason: @Sendable () -> String?
        /// The `/version` body.
        public var version: String

        public init(metrics: @escaping @Sendable () -> [UInt8], notReadyReason: @escaping @Sendable () -> String?,
                    version: String = BuildInfo.json) {
            self.metrics = metrics
            self.notReadyReason = notReadyReason
            self.version = version
        }
    }

    private let host: String
    private let port: Int
    private let routes: Routes
    private let group: any EventLoopGroup
    private let logger: Logger
    private let listener = Mutex<(any Channel)?>(nil)

    public init(host: String, port: Int, routes: Routes, group: any EventLoopGroup, logger: Logger) {
        self.host = host
        self.port = port
        self.routes = routes
        self.group = group
        self.logger = logger
    }

    /// Where it listens, once started.
    public var boundAddress: SocketAddress? { listener.withLock { $0?.localAddress } }

    @discardableResult
    public func start() async throws -> SocketAddress {
        let routes = self.routes
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(AdminHandler(routes: routes))
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            throw AdminListenError(address: "\(host):\(port)", underlying: error)
        }
        listener.withLock { $0 = channel }
        let address = channel.localAddress!
        logger.info("admin listener", metadata: ["address": "\(address)"])
        return address
    }

    public func stop() {
        listener.withLock { $0 }?.close(promise: nil)
    }

    /// `Service`: serve until a graceful shutdown reaches this service, then close.
    public func run() async throws {
        try await start()
        guard let channel = listener.withLock({ $0 }) else { return }
        try? await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            self.stop()
        }
    }
}

/// The admin listener could not bind: start-up fails, as for the RPC port.
public struct AdminListenError: Error, CustomStringConvertible {
    public let address: String
    public let underlying: any Error
    public var description: String {
        "cannot listen on \(address) for the admin endpoints (AUTHRPC_ADMIN_LISTEN; empty disables them): \(underlying)"
    }
}

/// One admin connection: each request answered in full, keep-alive as the client asks.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: AdminServer.Routes
    private var head: HTTPRequestHead?

    init(routes: AdminServer.Routes) { self.routes = routes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break  // no endpoint takes a body
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    struct Answer {
        var status: HTTPResponseStatus
        var contentType = "text/plain; charset=utf-8"
        var body: [UInt8]
        var extraHeaders: [(String, String)] = []
    }

    static let paths: Set<String> = ["/metrics", "/healthz", "/readyz", "/version"]

    /// The routing, apart from the channel.
    static func answer(method: HTTPMethod, uri: String, routes: AdminServer.Routes) -> Answer {
        let path = String(uri.prefix { $0 != "?" })
        guard paths.contains(path) else { return Answer(status: .notFound, body: Array("not found\n".utf8)) }
        guard method == .GET else {
            return Answer(status: .methodNotAllowed, body: Array("only GET\n".utf8), extraHeaders: [("Allow", "GET")])
        }
        switch path {
        case "/metrics":
            return Answer(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: routes.metrics())
        case "/healthz":
            return Answer(status: .ok, body: Array("ok\n".utf8))
        case "/readyz":
            if let reason = routes.notReadyReason() {
                return Answer(status: .serviceUnavailable, body: Array("not ready: \(reason)\n".utf8))
            }
            return Answer(status: .ok, body: Array("ready\n".utf8))
        default:
            return Answer(status: .ok, contentType: "application/json", body: Array((routes.version + "\n").utf8))
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let answer = Self.answer(method: request.method, uri: request.uri, routes: routes)
        var headers = HTTPHeaders([("Content-Type", answer.contentType), ("Content-Length", "\(answer.body.count)")])
        for (name, value) in answer.extraHeaders { headers.add(name: name, value: value) }
        let keepAlive = request.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: request.version, status: answer.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
