@testable import AuthRPC
import AuthRPCClient
@testable import CurlHTTP
import Foundation
import Logging
import NIOConcurrencyHelpers
import TokenMinting
import TokenTestSupport
@testable import TokenVerification
import Wire
import XCTest

/// The admin listener of SPEC §9 on the whole application, in process: real sockets for
/// the RPC port, the admin port, the JWKS and Cognito fakes; `/metrics` read by a real
/// Prometheus parser.
final class AdminEndpointTests: XCTestCase {
    private var fake: FakeCognitoServer!
    private let jwksReady = NIOLockedValueBox(false)
    private var transport: CurlHTTPTransport!
    private var app: AuthRPCApplication!
    private var running: Task<Void, any Error>?

    override func setUp() async throws {
        let jwks = DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey])
        let jwksReady = self.jwksReady
        fake = try FakeCognitoServer { request in
            if request.uri.hasSuffix("/jwks.json") {
                return jwksReady.withLockedValue { $0 } ? .json(200, jwks) : .json(503, "{}")
            }
            if request.operation == "ForgotPassword", (request.json["Username"] as? String) == "hang" { return .hang }
            return .cognitoError("UserNotFoundException", "User does not exist.")
        }
        transport = CurlHTTPTransport()
    }

    override func tearDown() async throws {
        if let app { await app.triggerGracefulShutdown() }
        _ = await running?.result
        fake?.stop()
        transport?.shutdown()
    }

    private func startApplication(_ configure: (inout ServiceConfig) -> Void = { _ in }) async throws -> (rpc: Int, admin: Int) {
        var config = testConfig(jwksURL: fake.endpoint + "\(TestKeys.poolID)/.well-known/jwks.json",
                                cacheEntries: 1000, minRefresh: .zero)
        config.listenHost = "127.0.0.1"
        config.listenPort = 0
        config.adminListen = ("127.0.0.1", 0)
        config.cognitoEndpoint = fake.endpoint
        config.region = "us-east-1"
        config.threads = 2
        config.shutdownGrace = .seconds(10)
        config.cognitoTimeout = .seconds(3)
        configure(&config)
        var logger = Logger(label: "admin-test")
        logger.logLevel = .critical
        let app = try AuthRPCApplication(config: config, logger: logger)
        self.app = app
        running = Task { try await app.run() }
        let end = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < end {
            if let rpc = app.server.boundAddress?.port, let admin = app.admin?.boundAddress?.port { return (rpc, admin) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw XCTSkip("the application did not start")
    }

    private func get(_ port: Int, _ path: String, method: HTTPRequest.Method = .get) async throws -> (status: Int, body: String, headers: [String: String]) {
        let response = try await transport.send(HTTPRequest(method: method, url: "http://127.0.0.1:\(port)\(path)",
                                                            timeout: .seconds(5)))
        return (response.status, String(decoding: response.body, as: UTF8.self), response.headers)
    }

    private func waitFor(_ port: Int, _ path: String, status: Int, timeout: Duration = .seconds(10)) async throws -> String {
        let end = ContinuousClock.now + timeout
        var last = (status: 0, body: "", headers: [String: String]())
        while ContinuousClock.now < end {
            last = try await get(port, path)
            if last.status == status { return last.body }
            try await Task.sleep(for: .milliseconds(50))
        }
        XCTFail("\(path) stayed \(last.status) (\(last.body)), expected \(status)")
        return last.body
    }

    private func liveToken() -> String {
        let now = Int64(Date().timeIntervalSince1970)
        return TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: now + 3600, iat: now - 10))
    }

    // MARK: tests

    /// `/readyz` is 503 until the JWKS arrives, then 200; after a known mix of requests,
    /// every counter of `/metrics` equals the mix; the drain makes `/readyz` 503 again.
    func testMetricsCountTheMixAndReadinessFollowsKeysAndDrain() async throws {
        let (rpc, admin) = try await startApplication()

        let notReady = try await get(admin, "/readyz")
        XCTAssertEqual(notReady.status, 503)
        XCTAssertEqual(notReady.body, "not ready: no signing keys yet for \(TestKeys.issuer)\n")
        let healthz = try await get(admin, "/healthz")
        XCTAssertEqual(healthz.status, 200)

        jwksReady.withLockedValue { $0 = true }
        let ready = try await waitFor(admin, "/readyz", status: 200)
        XCTAssertEqual(ready, "ready\n")

        // The mix: 5 × the same valid token, 3 × garbage, 2 × Health, 1 ForgotPassword that
        // Cognito refuses, over two connections.
        let first = try await AuthRPCConnection.connect(host: "127.0.0.1", port: rpc)
        let second = try await AuthRPCConnection.connect(host: "127.0.0.1", port: rpc)
        var answers: [(method: String, response: Response)] = []
        let token = liveToken()
        for i in 0..<5 {
            let connection = i % 2 == 0 ? first : second
            answers.append(("VerifyToken", try await connection.call(.verifyToken(VerifyTokenRequest(token: token)))))
        }
        for _ in 0..<3 {
            answers.append(("VerifyToken", try await first.call(.verifyToken(VerifyTokenRequest(token: "not.a.token")))))
        }
        for _ in 0..<2 { answers.append(("Health", try await second.call(.health(HealthRequest())))) }
        answers.append(("ForgotPassword", try await first.call(
            .forgotPassword(ForgotPasswordRequest(username: "nobody")), deadlineMs: 10_000)))
        XCTAssertEqual(answers.prefix(5).map(\.response.status), Array(repeating: .ok, count: 5))
        XCTAssertEqual(Set(answers[5..<8].map(\.response.errorType)), ["MalformedToken"])
        if case .health(let health)? = answers[8].response.body {
            XCTAssertEqual(health.version, BuildInfo.healthVersion, "Health names the build too")
        } else {
            XCTFail("Health has no body: \(answers[8].response)")
        }

        let scrape = try await get(admin, "/metrics")
        XCTAssertEqual(scrape.status, 200)
        XCTAssertEqual(scrape.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        let metrics = try PrometheusText(parsing: scrape.body)

        // authrpc_requests_total equals the answers the clients got, label for label.
        var expected: [String: Double] = [:]
        for (method, response) in answers {
            expected["\(method)|\(response.status.protoName)|\(response.errorType)", default: 0] += 1
        }
        var counted: [String: Double] = [:]
        for sample in metrics.all("authrpc_requests_total") {
            counted["\(sample.labels["method"]!)|\(sample.labels["status"]!)|\(sample.labels["error_type"]!)"] = sample.value
        }
        XCTAssertEqual(counted, expected)

        // The histogram: buckets, cumulative, ending in +Inf = _count = the requests.
        XCTAssertEqual(metrics.types["authrpc_request_duration_seconds"], "histogram")
        let buckets = metrics.all("authrpc_request_duration_seconds_bucket").filter { $0.labels["method"] == "VerifyToken" }
        XCTAssertGreaterThan(buckets.count, 10)
        XCTAssertEqual(buckets.last?.labels["le"], "+Inf")
        XCTAssertEqual(buckets.last?.value, 8)
        XCTAssertEqual(buckets.map(\.value), buckets.map(\.value).sorted(), "buckets are cumulative")
        XCTAssertEqual(metrics.value("authrpc_request_duration_seconds_count", ["method": "VerifyToken"]), 8)
        XCTAssertEqual(metrics.value("authrpc_request_duration_seconds_count", ["method": "ForgotPassword"]), 1)
        XCTAssertGreaterThan(metrics.value("authrpc_request_duration_seconds_sum", ["method": "VerifyToken"]) ?? 0, 0)

        // One valid token verified in full once per event loop it reached (each loop has a
        // cache of its own: one or two, as the two connections landed), then found every
        // other time; garbage is looked up too.
        let loopsThatVerified = try XCTUnwrap(metrics.value("authrpc_verify_cache_entries"))
        XCTAssertTrue(loopsThatVerified == 1 || loopsThatVerified == 2, "\(loopsThatVerified) entries")
        XCTAssertEqual(metrics.value("authrpc_verify_cache_hits_total"), 5 - loopsThatVerified)
        XCTAssertEqual(metrics.value("authrpc_verify_cache_misses_total"), loopsThatVerified + 3)
        XCTAssertEqual(metrics.value("authrpc_inflight_requests"), 0)
        XCTAssertEqual(metrics.value("authrpc_connections_open"), 2)
        XCTAssertEqual(metrics.value("authrpc_connections_total", ["result": "accepted"]), 2)
        XCTAssertEqual(metrics.value("authrpc_connections_total", ["result": "refused"]), 0)
        XCTAssertEqual(metrics.value("authrpc_jwks_keys", ["issuer": TestKeys.issuer]), 2)
        XCTAssertGreaterThanOrEqual(metrics.value("authrpc_jwks_fetches_total", ["issuer": TestKeys.issuer, "result": "failure"]) ?? 0, 1)
        XCTAssertEqual(metrics.value("authrpc_jwks_fetches_total", ["issuer": TestKeys.issuer, "result": "success"]), 1)
        let lastSuccess = metrics.value("authrpc_jwks_last_success_timestamp_seconds", ["issuer": TestKeys.issuer]) ?? 0
        XCTAssertEqual(lastSuccess, Date().timeIntervalSince1970, accuracy: 60)
        XCTAssertEqual(metrics.value("authrpc_cognito_requests_total", ["operation": "ForgotPassword", "outcome": "rejected"]), 1)
        XCTAssertEqual(metrics.value("authrpc_cognito_request_duration_seconds_count", ["operation": "ForgotPassword"]), 1)
        XCTAssertEqual(metrics.types["authrpc_cognito_request_duration_seconds"], "histogram")
        XCTAssertEqual(metrics.value("authrpc_cognito_inflight"), 0)
        XCTAssertEqual(metrics.value("authrpc_rate_limited_total", ["kind": "signin"]), 0)
        XCTAssertEqual(metrics.value("authrpc_build_info", ["version": BuildInfo.version, "commit": BuildInfo.commit]), 1)

        // A second scrape after more requests: counters went up by exactly those.
        _ = try await second.call(.verifyToken(VerifyTokenRequest(token: token)))
        let again = try PrometheusText(parsing: try await get(admin, "/metrics").body)
        XCTAssertEqual(again.value("authrpc_requests_total", ["method": "VerifyToken", "status": "OK", "error_type": ""]), 6)
        XCTAssertEqual(again.value("authrpc_verify_cache_hits_total"), 6 - loopsThatVerified)

        // Drain: a Cognito call still in flight keeps the server draining; /readyz says so
        // meanwhile, /healthz stays 200, and the call is still answered.
        let held = first.send(Request(id: 900, deadlineMs: 10_000,
                                      body: .forgotPassword(ForgotPasswordRequest(username: "hang"))))
        let until = ContinuousClock.now + .seconds(5)
        while !fake.requests.contains(where: { ($0.json["Username"] as? String) == "hang" }) && ContinuousClock.now < until {
            try await Task.sleep(for: .milliseconds(10))
        }
        let during = try PrometheusText(parsing: try await get(admin, "/metrics").body)
        XCTAssertEqual(during.value("authrpc_inflight_requests"), 1)
        XCTAssertEqual(during.value("authrpc_cognito_inflight"), 1)
        let application: AuthRPCApplication = app
        let shutdown = Task { await application.triggerGracefulShutdown() }
        let draining = try await waitFor(admin, "/readyz", status: 503)
        XCTAssertEqual(draining, "not ready: draining: the server is shutting down\n")
        let healthzDraining = try await get(admin, "/healthz")
        XCTAssertEqual(healthzDraining.status, 200)
        let heldAnswer = try await held.get()
        XCTAssertEqual(heldAnswer.id, 900)
        await shutdown.value
        await first.close()
        await second.close()
        _ = try await running?.value
        running = nil
        app = nil
    }

    func testUnknownPathsAre404AndOtherMethods405() async throws {
        let (rpc, admin) = try await startApplication()
        for path in ["/", "/metricsx", "/admin", "/metrics/"] {
            let answer = try await get(admin, path)
            XCTAssertEqual(answer.status, 404, path)
        }
        for path in ["/metrics", "/healthz", "/readyz", "/version"] {
            let answer = try await get(admin, path, method: .post)
            XCTAssertEqual(answer.status, 405, path)
            XCTAssertEqual(answer.headers["allow"], "GET", path)
        }
        let withQuery = try await get(admin, "/metrics?name=x")
        XCTAssertEqual(withQuery.status, 200)

        let version = try await get(admin, "/version")
        XCTAssertEqual(version.status, 200)
        XCTAssertEqual(version.headers["content-type"], "application/json")
        let json = try JSONSerialization.jsonObject(with: Data(version.body.utf8)) as? [String: String]
        XCTAssertEqual(json, ["version": BuildInfo.version, "commit": BuildInfo.commit])

        // The RPC port does not speak HTTP: an HTTP request there gets no HTTP answer.
        let socket = try PosixSocket(port: rpc)
        try socket.send(Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let reply = (try? socket.receiveUntilEOF(chunk: 4096, timeoutSeconds: 3)) ?? []
        XCTAssertFalse(String(decoding: reply, as: UTF8.self).contains("HTTP/"))
    }

    /// `AUTHRPC_METRICS=off`: no request is counted, the rest is still served.
    func testMetricsOffCountsNoRequests() async throws {
        let (rpc, admin) = try await startApplication { $0.metricsEnabled = false }
        let connection = try await AuthRPCConnection.connect(host: "127.0.0.1", port: rpc)
        _ = try await connection.call(.health(HealthRequest()))
        await connection.close()
        let metrics = try PrometheusText(parsing: try await get(admin, "/metrics").body)
        XCTAssertTrue(metrics.all("authrpc_requests_total").isEmpty)
        XCTAssertTrue(metrics.all("authrpc_request_duration_seconds_bucket").isEmpty)
        XCTAssertEqual(metrics.value("authrpc_connections_total", ["result": "accepted"]), 1)
        XCTAssertEqual(metrics.value("authrpc_build_info", ["version": BuildInfo.version, "commit": BuildInfo.commit]), 1)
    }
}
