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

    static func start(dispatcher: Dispatcher, threads: Int = 2, tls: ServerTLS? = nil, logger: Logger? = nil,
                      configure: (inout ServiceConfig) -> Void = { _ in }) async throws -> TestServer {
        var config = ServiceConfig()
        config.listenHost = "127.0.0.1"
        config.listenPort = 0
        configure(&config)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var defaultLogger = Logger(label: "test-server")
        defaultLogger.logLevel = .warning
        let server = AuthRPCServer(config: config, dispatcher: dispatcher, group: group, logger: logger ?? defaultLogger,
                                   tls: tls)
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

/// A Dispatcher with Health and whatever extra handlers a test supplies.
func testDispatcher(_ extra: [Method: any MethodHandler] = [:]) -> Dispatcher {
    var table = extra
    if table[.health] == nil { table[.health] = HealthMethod() }
    return Dispatcher(table)
}

/// A handler whose answers the test releases, to hold work in flight.
final class GatedHandler: MethodHandler, @unchecked Sendable {
    private let lock = NIOLock()
    private var promises: [EventLoopPromise<Response>] = []
    private var pendingIDs: [UInt64] = []
    private(set) var seen = 0

    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        let promise = eventLoop.makePromise(of: Response.self)
        lock.withLock {
            seen += 1
            promises.append(promise)
            pendingIDs.append(request.id)
        }
        return .later(promise.futureResult)
    }

    var seenCount: Int { lock.withLock { seen } }

    /// Answers everything held so far, OK with the request's id.
    func releaseAll() {
        let held = lock.withLock { () -> [(EventLoopPromise<Response>, UInt64)] in
            defer { promises.removeAll(); pendingIDs.removeAll() }
            return Array(zip(promises, pendingIDs))
        }
        for (promise, id) in held { promise.succeed(Response(id: id, body: .health(HealthResponse(version: "gated")))) }
    }
}

/// Answers after a delay chosen from the request id, so answers come back out of order.
struct DelayedHandler: MethodHandler {
    func handle(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        let delay = TimeAmount.microseconds(Int64(request.id % 7) * 300)
        return .later(eventLoop.scheduleTask(in: delay) {
            Response(id: request.id, body: .health(HealthResponse(version: "delayed")))
        }.futureResult)
    }
}
