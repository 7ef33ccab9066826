import TokenMinting
@testable import CurlHTTP
@testable import TokenVerification
import AuthRPC
import COpenSSL
import Foundation
import Synchronization
import Wire

/// Keys made once per test process (RSA key generation costs ~100 ms each).
enum TestKeys {
    static let poolID = "us-east-1_TestPoolA"
    static let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPoolA"
    static let otherPoolID = "eu-west-1_OtherPool"
    static let otherIssuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OtherPool"
    static let clientID = "4example5client6id7"
    static let otherClientID = "someotherclient"

    static let idKey = try! DevTokenSigner(kid: "id-key-1")
    static let accessKey = try! DevTokenSigner(kid: "access-key-1")
    static let rotatedKey = try! DevTokenSigner(kid: "rotated-key-2")
    static let strangerKey = try! DevTokenSigner(kid: "stranger")
    static let otherPoolKey = try! DevTokenSigner(kid: "other-pool-key")

    /// Unix time the tests pretend it is.
    static let now: Int64 = 1_760_000_000

    /// An id token's claims shaped like Cognito's (and moto's).
    static func idClaims(iss: String = issuer, exp: Int64 = now + 3600, iat: Int64 = now - 10,
                         aud: String = clientID, groups: [String]? = ["admins", "Readers"],
                         extra: String = "") -> String {
        let groupsJSON = groups.map { #","cognito:groups":[\#($0.map { "\"\($0)\"" }.joined(separator: ","))]"# } ?? ""
        return #"{"sub":"5f1e0c1a-0000-4000-8000-000000000001","email_verified":true\#(groupsJSON),"iss":"\#(iss)","cognito:username":"alice","origin_jti":"9a8b7c6d-origin","aud":"\#(aud)","event_id":"e-1","token_use":"id","auth_time":\#(iat),"exp":\#(exp),"iat":\#(iat),"jti":"1234-id-jti","email":"alice@example.com"\#(extra)}"#
    }

    /// An access token's claims shaped like Cognito's.
    static func accessClaims(iss: String = issuer, exp: Int64 = now + 3600, iat: Int64 = now - 10,
                             clientID: String = clientID, scope: String = "aws.cognito.signin.user.admin",
                             groups: [String]? = ["admins"], extra: String = "") -> String {
        let groupsJSON = groups.map { #","cognito:groups":[\#($0.map { "\"\($0)\"" }.joined(separator: ","))]"# } ?? ""
        return #"{"sub":"5f1e0c1a-0000-4000-8000-000000000001"\#(groupsJSON),"iss":"\#(iss)","client_id":"\#(clientID)","origin_jti":"9a8b7c6d-origin","event_id":"e-1","token_use":"access","scope":"\#(scope)","auth_time":\#(iat),"exp":\#(exp),"iat":\#(iat),"jti":"5678-access-jti","username":"alice"\#(extra)}"#
    }

    /// HS256 over the token's header.payload, with `secret` as the HMAC key.
    static func hs256Token(headerJSON: String, payloadJSON: String, secret: [UInt8]) -> String {
        let input = JWTEncoding.base64URL(headerJSON) + "." + JWTEncoding.base64URL(payloadJSON)
        var mac = [UInt8](repeating: 0, count: 32)
        var macLength: UInt32 = 0
        let message = Array(input.utf8)
        _ = HMAC(EVP_sha256(), secret, Int32(secret.count), message, message.count, &mac, &macLength)
        return input + "." + JWTEncoding.base64URL(mac.prefix(Int(macLength)))
    }
}

/// A clock tests move by hand.
final class FakeClock: Sendable {
    private let unix = Mutex<Int64>(TestKeys.now)
    private let mono = Mutex<Duration>(.seconds(1000))

    var clock: VerifierClock {
        VerifierClock(unixSeconds: { self.unix.withLock { $0 } }, monotonic: { self.mono.withLock { $0 } })
    }

    func advance(seconds: Int64) {
        unix.withLock { $0 += seconds }
        mono.withLock { $0 += .seconds(seconds) }
    }

    func setUnix(_ t: Int64) { unix.withLock { $0 = t } }
}

/// An in-memory JWKS server: counts calls, can fail, and can hold every fetch until
/// released (to line up concurrent waiters deterministically).
final class CountingTransport: HTTPTransport {
    private struct State {
        var body: [UInt8]
        var failing = false
        var holding = false
        var held: [CheckedContinuation<Void, Never>] = []
        var calls = 0
        var urls: [String] = []
    }
    private let state: Mutex<State>

    init(jwks: String) { state = Mutex(State(body: Array(jwks.utf8))) }

    var calls: Int { state.withLock { $0.calls } }
    var urls: [String] { state.withLock { $0.urls } }
    func serve(_ jwks: String) { state.withLock { $0.body = Array(jwks.utf8) } }
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }
    func hold() { state.withLock { $0.holding = true } }
    func release() {
        let waiting = state.withLock { s in
            s.holding = false
            defer { s.held = [] }
            return s.held
        }
        for w in waiting { w.resume() }
    }

    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let mustWait = state.withLock { s in
            s.calls += 1
            s.urls.append(request.url)
            return s.holding
        }
        if mustWait {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if s.holding { s.held.append(c); return false }
                    return true
                }
                if resumeNow { c.resume() }
            }
        }
        let (body, failing) = state.withLock { ($0.body, $0.failing) }
        if failing { throw .couldNotConnect("connection refused") }
        return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: body)
    }
}

/// A JWKS in a temp file, served as `file://`.
final class JWKSFile: Sendable {
    let path: String
    var url: String { "file://" + path }

    init(_ jwks: String) {
        path = NSTemporaryDirectory() + "authrpc-jwks-\(UUID().uuidString).json"
        write(jwks)
    }

    func write(_ jwks: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(jwks.utf8))
    }

    func delete() { try? FileManager.default.removeItem(atPath: path) }
}

/// A config with one or two pools and the test client id.
func testConfig(jwksURL: String, otherPoolJWKS: String? = nil, cacheEntries: Int = 0, leeway: Int64 = 0,
                minRefresh: Duration = .seconds(10), refresh: Duration = .seconds(3600)) -> ServiceConfig {
    var config = ServiceConfig()
    config.pools = [PoolConfig(poolID: TestKeys.poolID, region: "us-east-1", issuer: TestKeys.issuer, jwksURL: jwksURL)]
    if let otherPoolJWKS {
        config.pools.append(PoolConfig(poolID: TestKeys.otherPoolID, region: "eu-west-1", issuer: TestKeys.otherIssuer,
                                       jwksURL: otherPoolJWKS))
    }
    config.clientIDs = [TestKeys.clientID, "secondclient"]
    config.verifyCacheEntries = cacheEntries
    config.clockLeewaySeconds = leeway
    config.jwksMinRefresh = minRefresh
    config.jwksRefresh = refresh
    return config
}

/// Waits (polling, bounded) until `condition` holds; for background refresh tests.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + timeout
    while clock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

extension TokenVerifier.Outcome {
    var claims: Claims? {
        if case .verified(let token) = self { return Claims(token.claims) }
        return nil
    }
    var errorType: String? {
        if case .failed(let e) = self { return e.errorType }
        return nil
    }
    var error: VerificationError? {
        if case .failed(let e) = self { return e }
        return nil
    }
}
