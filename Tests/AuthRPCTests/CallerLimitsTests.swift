@testable import CurlHTTP
@testable import TokenVerification
@testable import AuthRPC
import Foundation
import Logging
import NIOCore
import NIOPosix
import Wire
import XCTest

/// SPEC §8 rate limits: the pieces on their own, then the whole chain on a real server
/// against moto.
final class CallerLimitsTests: XCTestCase {
    private static let second: Int64 = 1_000_000_000

    func testRateSyntax() throws {
        XCTAssertEqual(try RateLimit.parse("5/m").get(), RateLimit(perSecond: 5.0 / 60, burst: 5))
        XCTAssertEqual(try RateLimit.parse("100/s:200").get(), RateLimit(perSecond: 100, burst: 200))
        XCTAssertEqual(try RateLimit.parse(" 2/h ").get(), RateLimit(perSecond: 2.0 / 3600, burst: 2))
        XCTAssertNil(try RateLimit.parse("off").get())
        for bad in ["5", "5/d", "0/s", "-1/s", "5/s:", "5/s:0", "five/m", "5/m:x", "/m"] {
            XCTAssertThrowsError(try RateLimit.parse(bad).get(), bad)
        }
        XCTAssertThrowsError(try ServiceConfig.load(from: motoLikeSettings(["AUTHRPC_SIGNIN_RATE": "5 per minute"]))) {
            XCTAssertTrue("\($0)".contains("AUTHRPC_SIGNIN_RATE"), "\($0)")
        }
        let config = try ServiceConfig.load(from: motoLikeSettings([:]))
        XCTAssertEqual(config.signInRate, RateLimit(perSecond: 5.0 / 60, burst: 5), "default: 5 a minute, burst 5")
        XCTAssertNil(config.callerRate, "per-caller limit off by default")
    }

    func testSixthTryWithinAMinuteIsRefusedWithWhenToRetry() {
        let limiter = KeyedRateLimiter(limit: RateLimit(perSecond: 5.0 / 60, burst: 5), maxKeys: 1000)
        for _ in 0..<5 { XCTAssertNil(limiter.take("alice", now: 0)) }
        let wait = limiter.take("alice", now: 0)
        XCTAssertEqual(wait, 12_000, "one token every 12 s")
        XCTAssertNil(limiter.take("bob", now: 0), "another key has its own bucket")
        XCTAssertEqual(limiter.take("alice", now: 6 * Self.second), 6_000)
        XCTAssertNil(limiter.take("alice", now: 12 * Self.second), "refilled")
    }

    func testAFloodOfDistinctKeysStaysBounded() {
        let limiter = KeyedRateLimiter(limit: RateLimit(perSecond: 5.0 / 60, burst: 5), maxKeys: 10_000)
        for _ in 0..<4 { _ = limiter.take("victim", now: 0) }
        for i in 0..<100_000 { _ = limiter.take("user-\(i)", now: Int64(i)) }
        XCTAssertLessThanOrEqual(limiter.count, 10_000)
    }

    func testANewCallerAlwaysFindsRoomInTheCognitoBudget() {
        let share = CognitoShare(budget: 16)
        let noisy = CallerKey(ConnectionInfo(isTLS: true, caller: CallerIdentity(name: "spiffe://t/noisy", source: .uriSAN)))
        let quiet = CallerKey(ConnectionInfo(isTLS: true, caller: CallerIdentity(name: "spiffe://t/quiet", source: .uriSAN)))
        var held = 0
        while share.enter(noisy) { held += 1 }
        XCTAssertEqual(held, 14, "alone, all but the reserve (16 / 8)")
        XCTAssertTrue(share.enter(quiet), "the reserve is there for a caller holding nothing")
        XCTAssertFalse(share.enter(noisy), "now each has a share of 7")
        for _ in 0..<8 { share.leave(noisy) }
        XCTAssertTrue(share.enter(noisy))
        XCTAssertEqual(share.held(by: quiet), 1)
    }

    private func motoLikeSettings(_ extra: [String: String]) -> [String: String] {
        ["COGNITO_REGION": "us-east-1", "COGNITO_USER_POOL_ID": "us-east-1_Test1", "COGNITO_CLIENT_ID": "client1"]
            .merging(extra) { _, new in new }
    }
}

/// The interceptor chain of the application on a real server in front of moto.
final class CallerLimitsMotoTests: XCTestCase {
    private var moto: MotoServer!
    private var server: TestServer!
    private var keys: JWKSRegistry!
    private var transport: CurlHTTPTransport!
    private let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    override func setUp() async throws {
        moto = try MotoServer()
        let config = try ServiceConfig.load(from: [
            "COGNITO_REGION": moto.region, "COGNITO_USER_POOL_ID": moto.poolID,
            "COGNITO_CLIENT_ID": moto.clientID, "COGNITO_ENDPOINT": moto.endpoint,
            "AUTHRPC_LISTEN": "127.0.0.1:0", "AUTHRPC_COGNITO_MAX_INFLIGHT": "8",
        ])
        transport = CurlHTTPTransport()
        var logger = Logger(label: "limits")
        logger.logLevel = .warning
        keys = JWKSRegistry(config: config, transport: transport, logger: logger)
        let dispatcher = AuthRPCApplication.methods(config: config, transport: transport, keys: keys, logger: logger, background: testBackground)
        let interceptors = AuthRPCApplication.interceptors(config: config, policy: nil, logger: logger)
        server = try await TestServer.start(dispatcher: dispatcher, interceptors: interceptors) { $0 = config }
    }

    override func tearDown() async throws {
        await server?.stop()
        transport?.shutdown()
        moto?.stop()
        try await clientGroup.shutdownGracefully()
    }

    static func authenticate(_ id: UInt64, _ username: String, _ password: String) -> [UInt8] {
        try! Request(id: id, body: .authenticate(AuthenticateRequest(username: username, password: password)))
            .encodedBytes()
    }

    func testSixthWrongPasswordWithinAMinuteIsRateLimited() async throws {
        let raw = try await RawConnection.connect(port: server.port, group: clientGroup)
        for id in 1...6 {
            try await raw.sendFrame(Self.authenticate(UInt64(id), "Demo", "wrong-\(id)"))
            _ = await raw.responses(atLeast: id, timeout: .seconds(15))
        }
        try await raw.sendFrame(Self.authenticate(7, "someone-else", "wrong"))
        let answers = await raw.responses(atLeast: 7, timeout: .seconds(15))
        XCTAssertEqual(answers.count, 7)
        for answer in answers.prefix(5) {
            XCTAssertEqual(answer.status, .unauthenticated, "\(answer.errorType): \(answer.message)")
        }
        XCTAssertEqual(answers[5].status, .resourceExhausted)
        XCTAssertEqual(answers[5].errorType, "RateLimited", "usernames compare case-insensitively")
        XCTAssertGreaterThan(answers[5].retryAfterMs, 0)
        XCTAssertLessThanOrEqual(answers[5].retryAfterMs, 12_000)
        XCTAssertNotEqual(answers[6].errorType, "RateLimited", "another user is not limited")
        await raw.close()
    }

    /// One caller pipelines hundreds of wrong passwords (each for another user, so the
    /// per-username limit does not stop them); another caller — another host, here
    /// 127.0.0.2 — signs in meanwhile and must succeed every time.
    func testANoisyCallerCannotStarveAnothersSignIn() async throws {
        let noisy = try await RawConnection.connect(port: server.port, group: clientGroup)
        let quiet = try await RawConnection.connect(port: server.port, group: clientGroup, from: "127.0.0.2")
        let floodSize = 600
        async let flooded: Void = floodWrongPasswords(noisy, size: floodSize)
        for id in 1...5 {
            try await Task.sleep(for: .milliseconds(40))
            try await quiet.sendFrame(Self.authenticate(UInt64(id), "demo", "DemoPassw0rd"))
        }
        try await flooded
        let quietAnswers = await quiet.responses(atLeast: 5, timeout: .seconds(30))
        XCTAssertEqual(quietAnswers.map(\.status), Array(repeating: .ok, count: 5),
                       quietAnswers.map { "\($0.errorType): \($0.message)" }.joined(separator: "; "))
        let noisyAnswers = await noisy.responses(atLeast: floodSize, timeout: .seconds(60))
        XCTAssertEqual(noisyAnswers.count, floodSize, "every request of the flood is answered")
        XCTAssertTrue(noisyAnswers.contains { $0.errorType == "RateLimited" }, "the flood ran into its share")
        XCTAssertFalse(noisyAnswers.contains { $0.errorType == "TooManyCognitoCalls" },
                       "the share keeps the flood under the Cognito budget")
        await noisy.close()
        await quiet.close()
    }
}

/// Wrong passwords for `size` different users, in 20 pipelined batches.
private func floodWrongPasswords(_ connection: RawConnection, size: Int) async throws {
    for batch in 0..<20 {
        var bytes: [UInt8] = []
        for i in 0..<(size / 20) {
            bytes += framed(CallerLimitsMotoTests.authenticate(UInt64(batch * 1000 + i + 1), "nobody-\(batch)-\(i)", "guess"))
        }
        try await connection.send(bytes)
        try await Task.sleep(for: .milliseconds(20))
    }
}
