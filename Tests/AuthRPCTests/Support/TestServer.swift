@testable import CurlHTTP
@testable import TokenVerification
@testable import AuthRPC
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Wire

/// A real server on a free loopback port for one test; `stop()` drains and closes it.
struct TestServer {
    let server: AuthRPCServer
    let port: Int
    let group: MultiThreadedEventLoopGroup
    private let running: Task<Void, Never>

    static func start(dispatcher: Dispatcher, interceptors: [any CallInterceptor]? = nil, threads: Int = 2,
                      tls: ServerTLS? = nil, logger: Logger? = nil,
                      configure: (inout ServiceConfig) -> Void = { _ in }) async throws -> TestServer {
        var config = ServiceConfig()
        config.listenHost = "127.0.0.1"
        config.listenPort = 0
        configure(&config)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var defaultLogger = Logger(label: "test-server")
        defaultLogger.logLevel = .warning
        let server = AuthRPCServer(config: config, dispatcher: dispatcher, interceptors: interceptors, group: group,
                                   logger: logger ?? defaultLogger, tls: tls, background: testBackground)
        let address = try await server.start()
        let running = Task { await server.waitUntilStopped() }
        return TestServer(server: server, port: address.port!, group: group, running: running)
    }

    func stop() async {
        server.stop()
        await running.value
        try? await group.shutdownGracefully()
    }
}

/// A dispatcher over a `StubService`: Health by `health`, the methods in `handlers` by
/// their stub handlers, every other method UNIMPLEMENTED.
func testDispatcher(_ handlers: [Method: any StubHandler] = [:], health: HealthMethod = HealthMethod()) -> Dispatcher {
    Dispatcher(service: StubService(handlers: handlers, health: health))
}

/// The production service over `config`, with its own Cognito client on `transport`.
func realService(config: ServiceConfig, keys: JWKSRegistry, transport: any HTTPTransport) -> AuthRPCService {
    AuthRPCService(health: HealthMethod(), verifier: TokenVerifier(config: config, keys: keys),
                   cognito: CognitoClient(config: config, transport: transport, logger: Logger(label: "test"), background: testBackground))
}

/// A handler whose answers the test releases, to hold work in flight.
final class GatedHandler: StubHandler, @unchecked Sendable {
    private let lock = NIOLock()
    private var releases: [@Sendable () -> Void] = []
    private(set) var seen = 0

    func reply<Success: Sendable>(_ context: RequestContext, success: Success) -> MethodReply<Success> {
        let promise = context.eventLoop.makePromise(of: MethodResult<Success>.self)
        lock.withLock {
            seen += 1
            releases.append { promise.succeed(.success(success)) }
        }
        return .later(promise.futureResult)
    }

    var seenCount: Int { lock.withLock { seen } }

    /// Answers everything held so far, OK.
    func releaseAll() {
        let held = lock.withLock { () -> [@Sendable () -> Void] in
            defer { releases.removeAll() }
            return releases
        }
        for release in held { release() }
    }
}

/// Answers after a delay chosen from the request id, so answers come back out of order.
struct DelayedHandler: StubHandler {
    func reply<Success: Sendable>(_ context: RequestContext, success: Success) -> MethodReply<Success> {
        let delay = TimeAmount.microseconds(Int64(context.requestID % 7) * 300)
        return .later(context.eventLoop.scheduleTask(in: delay) { MethodResult.success(success) }.futureResult)
    }
}

/// A dispatcher over the production service with `verifier`, for the token methods; its
/// account methods have no Cognito to reach.
func tokenDispatcher(verifier: TokenVerifier) -> Dispatcher {
    Dispatcher(service: AuthRPCService(
        health: HealthMethod(), verifier: verifier,
        cognito: CognitoClient(config: ServiceConfig(), transport: UnreachableTransport(), logger: Logger(label: "test"), background: testBackground)))
}

/// HTTP that never connects.
struct UnreachableTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        throw .couldNotConnect("no network in this test")
    }
}
