@testable import AuthRPC
import AuthRPCClient
import NIOCore
import NIOPosix
import Wire
import XCTest

/// SPEC §3 over real TCP on a free loopback port.
final class ServerTests: XCTestCase {
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    override func tearDown() async throws {
        try await clientGroup.shutdownGracefully()
    }

    private func connect(_ server: TestServer) async throws -> AuthRPCConnection {
        try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port, group: clientGroup)
    }

    func testHealth() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher())
        let connection = try await connect(server)
        let response = try await connection.call(.health(HealthRequest()))
        XCTAssertEqual(response.status, .ok)
        guard case .health(let health) = response.body else { return XCTFail("no health body: \(response)") }
        XCTAssertEqual(health.version, AuthRPCVersion.current)
        await connection.close()
        await server.stop()
    }

    func testHealthNotReadyUntilKeys() async throws {
        let health = HealthMethod(poolReport: { (false, [PoolStatus(issuer: "https://issuer/x", keys: 0, lastError: "fetch failed")]) })
        let server = try await TestServer.start(dispatcher: testDispatcher(health: health))
        let connection = try await connect(server)
        let response = try await connection.call(.health(HealthRequest()))
        XCTAssertEqual(response.status, .unavailable)
        XCTAssertEqual(response.errorType, "NotReady")
        guard case .health(let body) = response.body else { return XCTFail("no body") }
        XCTAssertEqual(body.pools.first?.lastError, "fetch failed")
        await connection.close()
        await server.stop()
    }

    func testThousandPipelinedRequestsEachAnsweredOnce() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher([.verifyToken: DelayedHandler()]))
        let connection = try await connect(server)
        var futures: [EventLoopFuture<Response>] = []
        for id in UInt64(1)...1000 {
            let body: Request.Body = id % 2 == 0 ? .health(HealthRequest()) : .verifyToken(VerifyTokenRequest(token: "t"))
            futures.append(connection.send(Request(id: id, body: body), flush: false))
        }
        connection.flush()
        var ids: [UInt64] = []
        for future in futures {
            let response = try await future.get()
            XCTAssertEqual(response.status, .ok)
            ids.append(response.id)
        }
        XCTAssertEqual(Set(ids).count, 1000)
        XCTAssertEqual(ids, Array(1...1000))
        await connection.close()
        await server.stop()
    }

    func testResponsesMayArriveOutOfOrder() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher([.verifyToken: DelayedHandler()]))
        let raw = try await RawConnection.connect(port: server.port, group: clientGroup)
        var bytes: [UInt8] = []
        for id in UInt64(1)...50 {
            bytes += framed(try Request(id: id, body: .verifyToken(VerifyTokenRequest(token: "t"))).encodedBytes())
        }
        try await raw.send(bytes)
        let responses = await raw.responses(atLeast: 50)
        XCTAssertEqual(responses.count, 50)
        XCTAssertEqual(Set(responses.map(\.id)), Set(1...50))
        XCTAssertNotEqual(responses.map(\.id), Array(1...50), "delays differ by id, so order should too")
        await raw.close()
        await server.stop()
    }

    func testGarbageFrameAnsweredWithIDZeroAndConnectionKeepsServing() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher())
        let raw = try await RawConnection.connect(port: server.port, group: clientGroup)
        try await raw.sendFrame([0xff, 0xff, 0xff, 0xff, 0x0f])
        try await raw.sendFrame(Request(id: 42, body: .health(HealthRequest())).encodedBytes())
        let responses = await raw.responses(atLeast: 2)
        XCTAssertEqual(responses.count, 2)
        XCTAssertEqual(responses[0].id, 0)
        XCTAssertEqual(responses[0].status, .invalidArgument)
        XCTAssertEqual(responses[0].errorType, "MalformedRequest")
        XCTAssertEqual(responses[1].id, 42)
        XCTAssertEqual(responses[1].status, .ok)
        XCTAssertTrue(raw.channel.isActive)
        await raw.close()
        await server.stop()
    }

    func testMissingUnknownAndUnimplementedBodies() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher())
        let raw = try await RawConnection.connect(port: server.port, group: clientGroup)
        try await raw.sendFrame(Request(id: 7).encodedBytes())
        // id = 8 (field 1, varint) then field 30, length-delimited, empty: a body from a newer client.
        try await raw.sendFrame([0x08, 0x08, 0xF2, 0x01, 0x00])
        try await raw.sendFrame(Request(id: 9, body: .register(RegisterRequest(username: "u"))).encodedBytes())
        let responses = await raw.responses(atLeast: 3)
        XCTAssertEqual(responses.map(\.id), [7, 8, 9])
        XCTAssertEqual(responses.map(\.status), [.invalidArgument, .unimplemented, .unimplemented])
        XCTAssertEqual(responses[0].errorType, "MissingBody")
        XCTAssertTrue(responses[2].message.contains("register"), responses[2].message)
        await raw.close()
        await server.stop()
    }

    func testOversizeFrameAnsweredThenClosed() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher()) { $0.maxFrameBytes = 1024 }
        let raw = try await RawConnection.connect(port: server.port, group: clientGroup)
        // Announce 1 GiB; the server must answer from the 4 length bytes alone.
        try await raw.send([0x40, 0x00, 0x00, 0x00, 1, 2, 3])
        let responses = await raw.responses(atLeast: 1)
        XCTAssertEqual(responses.first?.id, 0)
        XCTAssertEqual(responses.first?.status, .resourceExhausted)
        XCTAssertEqual(responses.first?.errorType, "FrameTooLarge")
        let closed = await raw.waitForClose()
        XCTAssertTrue(closed)
        await server.stop()
    }

    func testStalledPartialFrameDoesNotDelayOthersAndIsClosedAsIdle() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher()) { $0.idleTimeout = .seconds(1) }
        let stalled = try await RawConnection.connect(port: server.port, group: clientGroup)
        try await stalled.send([0, 0, 0, 100, 1, 2, 3])
        let started = ContinuousClock.now
        let other = try await connect(server)
        for _ in 0..<20 {
            let response = try await other.call(.health(HealthRequest()))
            XCTAssertEqual(response.status, .ok)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(900), "other connection was held up")
        // Trickling more bytes of the same frame is not activity.
        try await Task.sleep(for: .milliseconds(400))
        try? await stalled.send([4])
        let closed = await stalled.waitForClose(timeout: .seconds(3))
        XCTAssertTrue(closed, "a stalled partial frame must count as idle")
        await other.close()
        await server.stop()
    }

    func testFiveHundredConcurrentConnections() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher())
        let port = server.port, group = clientGroup
        let statuses = try await withThrowingTaskGroup(of: Status.self) { tasks in
            for _ in 0..<500 {
                tasks.addTask {
                    let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: port, group: group)
                    let response = try await connection.call(.health(HealthRequest()))
                    await connection.close()
                    return response.status
                }
            }
            var all: [Status] = []
            for try await status in tasks { all.append(status) }
            return all
        }
        XCTAssertEqual(statuses.count, 500)
        XCTAssertTrue(statuses.allSatisfy { $0 == .ok })
        await server.stop()
    }

    func testConnectionsAboveTheLimitAreRefused() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher()) { $0.maxConnections = 3 }
        var open: [AuthRPCConnection] = []
        for _ in 0..<3 {
            let connection = try await connect(server)
            _ = try await connection.call(.health(HealthRequest()))
            open.append(connection)
        }
        let extra = try await RawConnection.connect(port: server.port, group: clientGroup)
        let closed = await extra.waitForClose()
        XCTAssertTrue(closed, "the fourth connection should be refused")
        // Closing one makes room again.
        await open.removeFirst().close()
        try await Task.sleep(for: .milliseconds(100))
        let again = try await connect(server)
        let response = try await again.call(.health(HealthRequest()))
        XCTAssertEqual(response.status, .ok)
        for connection in open + [again] { await connection.close() }
        await server.stop()
    }

    func testInFlightLimitPausesReadingWithoutDropping() async throws {
        let gated = GatedHandler()
        let server = try await TestServer.start(dispatcher: testDispatcher([.verifyToken: gated])) { $0.maxInFlightPerConnection = 2 }
        let connection = try await connect(server)
        var futures: [EventLoopFuture<Response>] = []
        for _ in 0..<10 {
            futures.append(connection.send(Request(id: connection.makeID(), body: .verifyToken(VerifyTokenRequest(token: "t")))))
        }
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(gated.seenCount, 2, "only the limit may be in flight")
        // Release in rounds; every request is eventually answered, none dropped.
        while gated.seenCount < 10 {
            gated.releaseAll()
            try await Task.sleep(for: .milliseconds(30))
        }
        gated.releaseAll()
        for future in futures {
            let response = try await future.get()
            XCTAssertEqual(response.status, .ok)
        }
        XCTAssertEqual(gated.seenCount, 10)
        await connection.close()
        await server.stop()
    }

    func testDeadlineExceeded() async throws {
        let gated = GatedHandler()
        let server = try await TestServer.start(dispatcher: testDispatcher([.verifyToken: gated]))
        let connection = try await connect(server)
        let response = try await connection.call(.verifyToken(VerifyTokenRequest(token: "t")), deadlineMs: 100)
        XCTAssertEqual(response.status, .deadlineExceeded)
        gated.releaseAll()  // a late answer must not produce a second response
        let next = try await connection.call(.health(HealthRequest()))
        XCTAssertEqual(next.status, .ok)
        await connection.close()
        await server.stop()
    }

    func testGracefulStopAnswersInFlightWork() async throws {
        let gated = GatedHandler()
        let server = try await TestServer.start(dispatcher: testDispatcher([.verifyToken: gated]))
        let connection = try await connect(server)
        let inFlight = connection.send(Request(id: 1, body: .verifyToken(VerifyTokenRequest(token: "t"))))
        while gated.seenCount < 1 { try await Task.sleep(for: .milliseconds(5)) }
        let stopping = Task { await server.stop() }
        try await Task.sleep(for: .milliseconds(100))
        // No new connections once stopping.
        do {
            let late = try await AuthRPCConnection.connect(host: "127.0.0.1", port: server.port, group: clientGroup)
            _ = try await late.call(.health(HealthRequest()))
            XCTFail("a new connection was served while draining")
        } catch {}
        gated.releaseAll()
        let response = try await inFlight.get()
        XCTAssertEqual(response.status, .ok)
        await stopping.value
    }
}
