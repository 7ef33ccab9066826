@testable import AuthRPC
import AuthRPCClient
@testable import CurlHTTP
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TokenMinting
import TokenTestSupport
@testable import TokenVerification
import Wire
import XCTest

/// The Swift client (`AuthRPCClient`) against real servers: typed answers and errors,
/// timeouts, a list of addresses, and a server restarted under load.
final class SwiftClientTests: XCTestCase {
    private var servers: [TestServer] = []
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    override func tearDown() async throws {
        for server in servers { await server.stop() }
        try await clientGroup.shutdownGracefully()
    }

    private func client(_ ports: [Int], timeout: Duration = .seconds(5)) -> AuthRPCClient {
        var options = AuthRPCClient.Options()
        options.timeout = timeout
        options.connectTimeout = .milliseconds(500)
        return AuthRPCClient(addresses: ports.map { AuthRPCClient.Address(host: "127.0.0.1", port: $0) },
                             options: options, group: clientGroup)
    }

    func testTypedAnswersAndTypedErrors() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher())
        servers.append(server)
        let client = client([server.port])
        let health = try await client.health()
        XCTAssertEqual(health.version, AuthRPCVersion.current)
        do {
            _ = try await client.verifyToken(VerifyTokenRequest(token: "a.b.c"))
            XCTFail("a non-OK answer must throw")
        } catch let error as AuthRPCStatusError {
            XCTAssertEqual(error.status, .unimplemented)
            XCTAssertEqual(error.errorType, "NotImplemented")
        }
        await client.close()
        do {
            _ = try await client.health()
            XCTFail("a closed client must refuse calls")
        } catch let error as AuthRPCClientError {
            XCTAssertEqual(error, .clientClosed)
        }
    }

    func testACallTimesOutAndTheConnectionCarriesOn() async throws {
        let gated = GatedHandler()
        let server = try await TestServer.start(dispatcher: testDispatcher([.verifyToken: gated]))
        servers.append(server)
        let client = client([server.port])
        let started = ContinuousClock.now
        do {
            _ = try await client.verifyToken(VerifyTokenRequest(token: "t"), timeout: .milliseconds(200))
            XCTFail("the call must time out")
        } catch let error as AuthRPCClientError {
            XCTAssertEqual(error, .timedOut)
        } catch let error as AuthRPCStatusError {
            // The server got the deadline too (deadline_ms) and may say so first.
            XCTAssertEqual(error.status, .deadlineExceeded)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
        gated.releaseAll()  // the late answer goes nowhere
        let health = try await client.health()
        XCTAssertFalse(health.version.isEmpty)
        await client.close()
    }

    func testTwoAddressesOneDown() async throws {
        let server = try await TestServer.start(dispatcher: testDispatcher())
        servers.append(server)
        let dead = try freePort()
        // The first address tried is random: several clients cover both orders.
        for _ in 0..<6 {
            let client = client([dead, server.port])
            _ = try await client.health()
            await client.close()
        }
        let nobody = client([dead], timeout: .milliseconds(400))
        do {
            _ = try await nobody.health()
            XCTFail("no server: the call must fail")
        } catch let error as AuthRPCClientError {
            XCTAssertTrue(error.description.contains("cannot connect"), "\(error)")
        }
        await nobody.close()
    }

    /// Eight callers verify tokens that each name themselves (`jti`) while the server is
    /// stopped and started again on the same port: every answer is its own call's, and the
    /// client reconnects by itself.
    func testServerRestartedUnderLoad() async throws {
        let file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.accessKey]))
        defer { file.delete() }
        let config = testConfig(jwksURL: file.url)
        let keys = JWKSRegistry(config: config, transport: FakeJWKSServer(jwks: ""))
        await keys.start()
        defer { Task { await keys.shutdown() } }
        let verifier = TokenVerifier(config: config, keys: keys, clock: FakeClock().clock)
        let first = try await TestServer.start(dispatcher: tokenDispatcher(verifier: verifier))
        let port = first.port
        let client = client([port], timeout: .seconds(2))
        let tokens = (0..<16).map { i in
            (jti: "call-\(i)", token: TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims()
                .replacingOccurrences(of: "\"jti\":\"5678-access-jti\"", with: "\"jti\":\"call-\(i)\"")))
        }

        let stop = ManagedFlag()
        let results = try await withThrowingTaskGroup(of: (ok: Int, transport: Int, wrong: Int).self) { group in
            for caller in 0..<8 {
                group.addTask {
                    var ok = 0, transport = 0, wrong = 0, i = caller
                    while !stop.isSet {
                        let (jti, token) = tokens[i % tokens.count]
                        i += 1
                        do {
                            let answer = try await client.verifyToken(VerifyTokenRequest(token: token, tokenUse: .access))
                            if answer.claims?.jti == jti { ok += 1 } else { wrong += 1 }
                        } catch is AuthRPCClientError {
                            transport += 1
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                    return (ok, transport, wrong)
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            await first.stop()
            try await Task.sleep(for: .milliseconds(300))
            let second = try await TestServer.start(dispatcher: tokenDispatcher(verifier: verifier)) {
                $0.listenPort = port
            }
            self.servers.append(second)
            try await Task.sleep(for: .milliseconds(500))
            stop.set()
            var total = (ok: 0, transport: 0, wrong: 0)
            for try await r in group { total = (total.ok + r.ok, total.transport + r.transport, total.wrong + r.wrong) }
            return total
        }
        XCTAssertEqual(results.wrong, 0, "no call got another call's answer")
        XCTAssertGreaterThan(results.ok, 100)
        // Calls in flight at the stop were answered (drain) or got ShuttingDown and were sent
        // again; calls during the outage waited for the new server within their timeout, or
        // failed as transport errors (`results.transport`), never with a wrong answer.
        // After the restart the client works again by itself.
        let answer = try await client.verifyToken(VerifyTokenRequest(token: tokens[0].token, tokenUse: .access))
        XCTAssertEqual(answer.claims?.jti, tokens[0].jti)
        await client.close()
    }
}

/// A flag set once, read from many tasks.
private final class ManagedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// SPEC §9 connection age: connections drain and close once old enough, and a client
/// moves to new ones without losing or doubling an answer.
final class ConnectionAgeTests: XCTestCase {
    /// Records which client port each request came from.
    private final class Ports: CallInterceptor {
        let seen = Mutex<Set<Int>>([])
        func admit(_ call: Call, request: Request) -> Response? {
            if let port = call.connection.peer?.port { seen.withLock { _ = $0.insert(port) } }
            return nil
        }
    }

    func testLongLivedClientMovesToNewConnections() async throws {
        let ports = Ports()
        let server = try await TestServer.start(dispatcher: testDispatcher([.verifyToken: DelayedHandler()]),
                                                interceptors: [ports]) { $0.maxConnectionAge = .milliseconds(300) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var options = AuthRPCClient.Options()
        options.timeout = .seconds(3)
        let client = AuthRPCClient(addresses: [AuthRPCClient.Address(host: "127.0.0.1", port: server.port)],
                                   options: options, group: group)
        let end = ContinuousClock.now + .milliseconds(1500)
        let answered = try await withThrowingTaskGroup(of: Int.self) { tasks in
            for _ in 0..<4 {
                tasks.addTask {
                    var n = 0
                    while ContinuousClock.now < end {
                        _ = try await client.verifyToken(VerifyTokenRequest(token: "t"))
                        _ = try await client.health()
                        n += 2
                    }
                    return n
                }
            }
            return try await tasks.reduce(0, +)
        }
        XCTAssertGreaterThan(answered, 100, "every call answered, none failed")
        XCTAssertGreaterThanOrEqual(ports.seen.withLock { $0.count }, 3, "the client moved to new connections")
        await client.close()
        await server.stop()
        try await group.shutdownGracefully()
    }

    func testTheSettingIsReadAndOffByDefault() throws {
        let base = ["COGNITO_REGION": "us-east-1", "COGNITO_USER_POOL_ID": "us-east-1_Test1", "COGNITO_CLIENT_ID": "c1"]
        XCTAssertNil(try ServiceConfig.load(from: base).maxConnectionAge)
        var aged = base
        aged["AUTHRPC_MAX_CONNECTION_AGE_S"] = "600"
        XCTAssertEqual(try ServiceConfig.load(from: aged).maxConnectionAge, .seconds(600))
        aged["AUTHRPC_MAX_CONNECTION_AGE_S"] = "-1"
        XCTAssertThrowsError(try ServiceConfig.load(from: aged))
    }
}
