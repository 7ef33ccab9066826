import TokenMinting
@testable import CurlHTTP
import TokenTestSupport
@testable import TokenVerification
@testable import AuthRPC
import AuthRPCClient
import AuthRPCLoad
import Logging
import Foundation
import NIOPosix
import Wire
import XCTest

/// `authrpc bench verify`'s engine against a real server: every request sent is
/// answered and counted once, by outcome, closed loop and open loop.
final class LoadGeneratorTests: XCTestCase {
    private func server() async throws -> (TestServer, JWKSRegistry, URL) {
        let jwks = FileManager.default.temporaryDirectory.appendingPathComponent("load-\(UUID()).json")
        try DevTokenSigner.jwksJSON([TestKeys.idKey]).write(to: jwks, atomically: true, encoding: .utf8)
        var config = try ServiceConfig.load(from: [
            "COGNITO_USER_POOL_ID": TestKeys.poolID, "COGNITO_CLIENT_ID": TestKeys.clientID,
            "COGNITO_JWKS_URL": jwks.absoluteString,
        ])
        config.listenPort = 0
        let transport = CurlHTTPTransport()
        let keys = JWKSRegistry(config: config, transport: transport)
        await keys.start()
        let dispatcher = Dispatcher(service: realService(config: config, keys: keys, transport: transport))
        return (try await TestServer.start(dispatcher: dispatcher) { $0 = config }, keys, jwks)
    }

    private func templates() throws -> [RequestTemplate] {
        let now = Int64(Date().timeIntervalSince1970)
        let valid = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: now + 3600, iat: now - 10))
        let expired = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: now - 3600, iat: now - 7200))
        return try [valid, valid, valid, expired].map {
            try RequestTemplate(label: "t", body: .verifyToken(VerifyTokenRequest(token: $0)))
        }
    }

    /// Over TLS (certificates from scripts/dev-certs): the same counts, and handshakes/s.
    func testClosedLoopOverTLSAndHandshakes() async throws {
        let certs = try TestCerts()
        let tls = try ServerTLS(settings: TLSSettings(certificatePath: certs.path("server.pem"), keyPath: certs.path("server.key")),
                                logger: Logger(label: "load-tls"))
        let jwks = FileManager.default.temporaryDirectory.appendingPathComponent("load-\(UUID()).json")
        try DevTokenSigner.jwksJSON([TestKeys.idKey]).write(to: jwks, atomically: true, encoding: .utf8)
        var config = try ServiceConfig.load(from: [
            "COGNITO_USER_POOL_ID": TestKeys.poolID, "COGNITO_CLIENT_ID": TestKeys.clientID,
            "COGNITO_JWKS_URL": jwks.absoluteString,
        ])
        config.listenPort = 0
        let keys = JWKSRegistry(config: config, transport: CurlHTTPTransport())
        await keys.start()
        let dispatcher = Dispatcher(service: realService(config: config, keys: keys, transport: CurlHTTPTransport()))
        let server = try await TestServer.start(dispatcher: dispatcher, tls: tls) { $0 = config }

        var plan = LoadPlan()
        plan.port = server.port
        plan.connections = 4
        plan.depth = 8
        plan.requestLimit = 2000
        plan.templates = try templates()
        plan.progress = false
        plan.tls = try ClientTLS(ClientTLSSettings(caFile: certs.path("ca.pem")))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let report = try await LoadGenerator.run(plan, group: group)
        XCTAssertEqual(report.answered, 2000)
        XCTAssertEqual(report.lost, 0)
        XCTAssertEqual(report.connectionErrors, 0)
        XCTAssertEqual(report.outcomes["OK"], 1500)

        let handshakes = await HandshakeLoad.run(host: "127.0.0.1", port: server.port, tls: plan.tls!, concurrency: 4,
                                                 duration: .milliseconds(500), group: group)
        XCTAssertGreaterThan(handshakes.handshakes, 10, handshakes.text)
        XCTAssertEqual(handshakes.failures, 0, handshakes.text)
        try await group.shutdownGracefully()
        await server.stop()
        _ = keys
        try? FileManager.default.removeItem(at: jwks)
    }

    func testFixedCountClosedLoopCountsEveryAnswerOnce() async throws {
        let (server, keys, jwks) = try await server()
        var plan = LoadPlan()
        plan.port = server.port
        plan.connections = 4
        plan.depth = 8
        plan.requestLimit = 2000
        plan.templates = try templates()
        plan.progress = false
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let report = try await LoadGenerator.run(plan, group: group)
        XCTAssertEqual(report.sent, 2000)
        XCTAssertEqual(report.answered, 2000)
        XCTAssertEqual(report.lost, 0)
        XCTAssertEqual(report.connectionErrors, 0)
        XCTAssertEqual(report.outcomes["OK"], 1500)
        XCTAssertEqual(report.outcomes["UNAUTHENTICATED/TokenExpired"], 500)
        XCTAssertEqual(report.latency.totalCount, 2000)
        XCTAssertTrue(report.json.contains("\"answered\": 2000"), report.json)
        try await group.shutdownGracefully()
        await server.stop()
        await keys.shutdown()
        try? FileManager.default.removeItem(at: jwks)
    }

    /// An answer other than the one its template expects is counted as unexpected
    /// (what `bench verify --max-errors` judges), whatever its status.
    func testAnswersOtherThanTheTemplateExpectsAreCounted() async throws {
        let (server, keys, jwks) = try await server()
        let now = Int64(Date().timeIntervalSince1970)
        let valid = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: now + 3600, iat: now - 10))
        let expired = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: now - 3600, iat: now - 7200))
        var plan = LoadPlan()
        plan.port = server.port
        plan.connections = 1
        plan.depth = 4
        plan.requestLimit = 300
        plan.progress = false
        plan.templates = [
            try RequestTemplate(label: "valid", body: .verifyToken(VerifyTokenRequest(token: valid))),
            try RequestTemplate(label: "expired", body: .verifyToken(VerifyTokenRequest(token: expired)),
                                expectedErrorType: "TokenExpired"),
            try RequestTemplate(label: "meant to pass", body: .verifyToken(VerifyTokenRequest(token: expired))),
        ]
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let report = try await LoadGenerator.run(plan, group: group)
        XCTAssertEqual(report.answered, 300)
        XCTAssertEqual(report.outcomes["OK"], 100)
        XCTAssertEqual(report.outcomes["UNAUTHENTICATED/TokenExpired"], 200)
        XCTAssertEqual(report.unexpected, 100)
        XCTAssertTrue(report.json.contains("\"unexpected\": 100"), report.json)
        XCTAssertGreaterThan(report.meanMicros, 0)
        XCTAssertTrue(report.text.contains("latency (us): mean "), report.text)
        try await group.shutdownGracefully()
        await server.stop()
        await keys.shutdown()
        try? FileManager.default.removeItem(at: jwks)
    }

    func testOpenLoopKeepsItsRate() async throws {
        let (server, keys, jwks) = try await server()
        var plan = LoadPlan()
        plan.port = server.port
        plan.connections = 2
        plan.rate = 2000
        plan.duration = .seconds(1)
        plan.templates = try templates()
        plan.progress = false
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let report = try await LoadGenerator.run(plan, group: group)
        XCTAssertEqual(report.lost, 0)
        XCTAssertEqual(report.answered, report.sent)
        // One second at 2,000/s, sent on schedule whatever the answers do.
        XCTAssertGreaterThan(report.sent, 1500)
        XCTAssertLessThan(report.sent, 4000)  // the run lasts 1 s plus however late the stop is
        try await group.shutdownGracefully()
        await server.stop()
        await keys.shutdown()
        try? FileManager.default.removeItem(at: jwks)
    }
}
