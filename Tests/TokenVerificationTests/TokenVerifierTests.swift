import Foundation
import TokenMinting
import TokenTestSupport
@testable import TokenVerification
import XCTest

/// Every `error_type` of SPEC §6, provoked through the public verifier with real keys and
/// a `file://` JWKS. (The status each is answered with: AuthRPCTests' `TokenMethodsTests`.)
final class TokenVerifierTests: XCTestCase {
    var file: JWKSFile!
    var registry: JWKSRegistry!
    var verifier: TokenVerifier!
    let clock = FakeClock()

    override func setUp() async throws {
        file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey]))
        try await makeVerifier()
    }

    func makeVerifier(_ settings: TokenVerifier.Settings = testSettings(), otherPoolJWKS: String? = nil) async throws {
        await registry?.shutdown()
        registry = await startedRegistry(jwksURL: file.url, otherPoolJWKS: otherPoolJWKS, clock: clock)
        XCTAssertTrue(registry.hasKeysForEveryPool)
        verifier = TokenVerifier(settings: settings, keys: registry, clock: clock.clock)
    }

    override func tearDown() async throws {
        await registry.shutdown()
        file.delete()
    }

    func verify(_ token: String, _ use: TokenKind? = nil, scopes: [String] = []) -> TokenVerifier.Outcome {
        verifier.verify(token, tokenUse: use, requiredScopes: scopes)
    }

    func testValidIdAndAccessTokensVerify() {
        XCTAssertNotNil(verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).verifiedClaims)
        XCTAssertNotNil(verify(TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims()), .access).verifiedClaims)
    }

    // MARK: step 1

    func testMalformedShapes() {
        let good = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())
        let parts = good.split(separator: ".").map(String.init)
        let cases: [(String, String)] = [
            ("two parts", parts[0] + "." + parts[1]),
            ("four parts", good + ".AAAA"),
            ("four parts, dot inside the payload", parts[0] + "." + parts[1].prefix(8) + "." + parts[1].dropFirst(8) + "." + parts[2]),
            ("dots only", ".."), ("one dot", "."), ("leading dot", "." + good), ("trailing dot", good + "."),
            ("empty", ""),
            ("bad base64url char", parts[0] + "." + parts[1] + "*" + "." + parts[2]),
            ("padding", parts[0] + "=." + parts[1] + "." + parts[2]),
            ("impossible length", parts[0] + "." + parts[1] + "A." + parts[2].dropLast(0)),
            ("non-JSON header", JWTEncoding.base64URL("not json") + "." + parts[1] + "." + parts[2]),
            ("array payload", parts[0] + "." + JWTEncoding.base64URL("[1,2,3]") + "." + parts[2]),
            ("trailing garbage payload", parts[0] + "." + JWTEncoding.base64URL(TestKeys.idClaims() + "x") + "." + parts[2]),
            ("duplicate key", parts[0] + "." + JWTEncoding.base64URL(#"{"iss":"a","iss":"b"}"#) + "." + parts[2]),
            ("escaped duplicate key", parts[0] + "." + JWTEncoding.base64URL(#"{"sub":"a","s\u0075b":"b"}"#) + "." + parts[2]),
            ("exp of wrong type", parts[0] + "." + JWTEncoding.base64URL(#"{"exp":"soon"}"#) + "." + parts[2]),
            ("signature not base64url", parts[0] + "." + parts[1] + "." + parts[2] + "!"),
        ]
        for (name, token) in cases {
            XCTAssertEqual(verify(token).errorType, "MalformedToken", name)
        }
    }

    func testMissingKidIsMalformed() {
        let token = TestKeys.idKey.sign(headerJSON: #"{"alg":"RS256"}"#, payloadJSON: TestKeys.idClaims())
        XCTAssertEqual(verify(token).errorType, "MalformedToken")
    }

    func testCriticalHeaderExtensionsAreRefused() {
        let token = TestKeys.idKey.sign(headerJSON: #"{"alg":"RS256","kid":"id-key-1","crit":["b64"],"b64":false}"#,
                                        payloadJSON: TestKeys.idClaims())
        XCTAssertEqual(verify(token).errorType, "MalformedToken")
    }

    func testOversizeTokenIsMalformed() async throws {
        try await makeVerifier(testSettings(maxTokenBytes: 1024))
        let padding = String(repeating: "x", count: 1200)
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(extra: #","pad":"\#(padding)""#))
        XCTAssertEqual(verify(token).errorType, "MalformedToken")
        XCTAssertEqual(verify(TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())).errorType, nil)
    }

    // MARK: step 2

    func testAlgNoneIsRefused() {
        let token = JWTEncoding.base64URL(#"{"alg":"none","kid":"id-key-1"}"#) + "."
            + JWTEncoding.base64URL(TestKeys.idClaims()) + "."
        XCTAssertEqual(verify(token).errorType, "UnsupportedAlgorithm")
    }

    func testHS256WithThePublicKeyAsSecretIsRefused() {
        // The classic key-confusion attack: HMAC keyed with the (public) RSA key material.
        let secrets = [Array(TestKeys.idKey.jwkJSON().utf8), TestKeys.idKey.publicNumbers().n]
        for secret in secrets {
            let token = JWTEncoding.hs256Token(headerJSON: #"{"alg":"HS256","kid":"id-key-1"}"#,
                                            payloadJSON: TestKeys.idClaims(), secret: secret)
            XCTAssertEqual(verify(token).errorType, "UnsupportedAlgorithm")
        }
    }

    /// Headers are remembered per thread (JWTHeaderMemo): interleaving good and bad
    /// headers must still judge each token by its own header.
    func testInterleavedHeadersAreEachJudgedOnTheirOwn() {
        let good = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())
        let rs512 = TestKeys.idKey.sign(headerJSON: #"{"kid":"id-key-1","alg":"RS512"}"#, payloadJSON: TestKeys.idClaims())
        let crit = TestKeys.idKey.sign(headerJSON: #"{"kid":"id-key-1","alg":"RS256","crit":["b64"]}"#,
                                       payloadJSON: TestKeys.idClaims())
        let otherKid = TestKeys.idKey.sign(headerJSON: #"{"kid":"id-key-2","alg":"RS256"}"#, payloadJSON: TestKeys.idClaims())
        for _ in 0..<3 {
            XCTAssertNotNil(verify(good).verifiedClaims)
            XCTAssertEqual(verify(rs512).errorType, "UnsupportedAlgorithm")
            XCTAssertEqual(verify(crit).errorType, "MalformedToken")
            XCTAssertEqual(verify(otherKid).errorType, "UnknownKey")
        }
    }

    func testOtherAlgorithmsAndMissingAlg() {
        for header in [#"{"alg":"RS512","kid":"id-key-1"}"#, #"{"alg":"rs256","kid":"id-key-1"}"#,
                       #"{"kid":"id-key-1"}"#, #"{"alg":256,"kid":"id-key-1"}"#] {
            let token = TestKeys.idKey.sign(headerJSON: header, payloadJSON: TestKeys.idClaims())
            XCTAssertEqual(verify(token).errorType, "UnsupportedAlgorithm", header)
        }
    }

    func testKeysInTheHeaderAreIgnored() {
        // A stranger's token carrying its own key (jwk), key URL (jku) and cert URL (x5u):
        // none is used, so the signature is checked against the pool's key and fails.
        let jwk = TestKeys.strangerKey.jwkJSON(kid: "id-key-1")
        let header = #"{"alg":"RS256","kid":"id-key-1","jwk":\#(jwk),"jku":"http://127.0.0.1:1/jwks.json","x5u":"http://127.0.0.1:1/x5u"}"#
        let forged = TestKeys.strangerKey.sign(headerJSON: header, payloadJSON: TestKeys.idClaims())
        XCTAssertEqual(verify(forged).errorType, "BadSignature")
        // The same header on a genuinely signed token is harmless.
        let genuine = TestKeys.idKey.sign(headerJSON: header, payloadJSON: TestKeys.idClaims())
        XCTAssertNotNil(verify(genuine).verifiedClaims)
    }

    // MARK: step 3

    func testWrongAndNearMissIssuers() async throws {
        let near = [
            TestKeys.issuer + "/",
            TestKeys.issuer.replacingOccurrences(of: "https://", with: "http://"),
            TestKeys.otherIssuer,
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_testpoola",
            "https://evil.example.com/us-east-1_TestPoolA",
            " " + TestKeys.issuer,
        ]
        for iss in near {
            let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(iss: iss))
            XCTAssertEqual(verify(token).errorType, "WrongIssuer", iss)
        }
        let noIss = TestKeys.idKey.token(payloadJSON: #"{"sub":"x","token_use":"id","exp":\#(TestKeys.now + 60)}"#)
        XCTAssertEqual(verify(noIss).errorType, "WrongIssuer")
    }

    func testSeveralPoolsEachWithItsOwnKeys() async throws {
        let other = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.otherPoolKey]))
        defer { other.delete() }
        try await makeVerifier(otherPoolJWKS: other.url)
        XCTAssertEqual(registry.poolStatuses().map(\.issuer), [TestKeys.issuer, TestKeys.otherIssuer])
        let fromOther = TestKeys.otherPoolKey.token(payloadJSON: TestKeys.idClaims(iss: TestKeys.otherIssuer))
        XCTAssertEqual(verify(fromOther).verifiedClaims?.issuer, TestKeys.otherIssuer)
        // Pool A's key is not trusted for pool B's issuer, and vice versa.
        let crossed = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(iss: TestKeys.otherIssuer))
        XCTAssertEqual(verify(crossed).errorType, "UnknownKey")
        let crossed2 = TestKeys.otherPoolKey.token(payloadJSON: TestKeys.idClaims())
        XCTAssertEqual(verify(crossed2).errorType, "UnknownKey")
    }

    // MARK: step 4-5

    func testUnknownKidIsUnknownKey() async {
        let token = TestKeys.strangerKey.token(payloadJSON: TestKeys.idClaims())
        let result = await verifier.verifyWaitingForKeys(token)
        XCTAssertEqual(result.failure?.errorType, "UnknownKey")
    }

    func testAnotherKeyUnderAKnownKidIsBadSignature() {
        let token = TestKeys.strangerKey.token(payloadJSON: TestKeys.idClaims(), kid: "id-key-1")
        XCTAssertEqual(verify(token).errorType, "BadSignature")
    }

    func testTamperedPayloadIsBadSignature() {
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())
        let parts = token.split(separator: ".").map(String.init)
        let tampered = parts[0] + "." + JWTEncoding.base64URL(TestKeys.idClaims(groups: ["admins", "root"])) + "." + parts[2]
        XCTAssertEqual(verify(tampered).errorType, "BadSignature")
        let shortSignature = Base64URL.decode(parts[2])!.dropLast(1)
        let truncatedSig = parts[0] + "." + parts[1] + "." + JWTEncoding.base64URL(shortSignature)
        XCTAssertEqual(verify(truncatedSig).errorType, "BadSignature")
    }

    // MARK: step 6

    func testExpiry() {
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: TestKeys.now))
        XCTAssertEqual(verify(token).errorType, "TokenExpired")
        let stale = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: TestKeys.now - 3600))
        XCTAssertEqual(verify(stale).errorType, "TokenExpired")
        let noExp = TestKeys.idKey.token(payloadJSON: #"{"iss":"\#(TestKeys.issuer)","token_use":"id","aud":"\#(TestKeys.clientID)"}"#)
        XCTAssertEqual(verify(noExp).errorType, "TokenExpired")
        let fine = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: TestKeys.now + 1))
        XCTAssertNil(verify(fine).errorType)
    }

    func testNotYetValid() {
        let futureIat = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(iat: TestKeys.now + 30))
        XCTAssertEqual(verify(futureIat).errorType, "TokenNotYetValid")
        let futureNbf = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(extra: #","nbf":\#(TestKeys.now + 30)"#))
        XCTAssertEqual(verify(futureNbf).errorType, "TokenNotYetValid")
    }

    func testLeewayIsHonoured() async throws {
        try await makeVerifier(testSettings(leeway: 60))
        let justExpired = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: TestKeys.now - 30))
        XCTAssertNil(verify(justExpired).errorType)
        let longExpired = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: TestKeys.now - 61))
        XCTAssertEqual(verify(longExpired).errorType, "TokenExpired")
        let slightlyFuture = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(iat: TestKeys.now + 59))
        XCTAssertNil(verify(slightlyFuture).errorType)
        let farFuture = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(extra: #","nbf":\#(TestKeys.now + 61)"#))
        XCTAssertEqual(verify(farFuture).errorType, "TokenNotYetValid")
    }

    // MARK: step 7

    func testTokenUse() {
        let id = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())
        let access = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims())
        XCTAssertEqual(verify(id, .access).errorType, "WrongTokenUse")
        XCTAssertEqual(verify(access, .id).errorType, "WrongTokenUse")
        XCTAssertNil(verify(id, .id).errorType)
        XCTAssertNil(verify(access, nil).errorType)
        let missing = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims().replacingOccurrences(of: #""token_use":"id","#, with: ""))
        XCTAssertEqual(verify(missing).errorType, "WrongTokenUse")
        let odd = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims().replacingOccurrences(of: #""token_use":"id""#, with: #""token_use":"refresh""#))
        XCTAssertEqual(verify(odd).errorType, "WrongTokenUse")
    }

    // MARK: step 8

    func testAudience() {
        let wrongAud = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(aud: TestKeys.otherClientID))
        XCTAssertEqual(verify(wrongAud).errorType, "WrongAudience")
        let wrongClient = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims(clientID: TestKeys.otherClientID))
        XCTAssertEqual(verify(wrongClient).errorType, "WrongAudience")
        // An access token's aud (if any) does not stand in for client_id.
        let accessNoClient = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims().replacingOccurrences(
            of: #""client_id":"\#(TestKeys.clientID)","#, with: #""aud":"\#(TestKeys.clientID)","#))
        XCTAssertEqual(verify(accessNoClient).errorType, "WrongAudience")
        // Second configured client id; aud as an array.
        let second = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(aud: TestKeys.secondClientID))
        XCTAssertEqual(verify(second).verifiedClaims?.clientID, TestKeys.secondClientID)
        let array = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims().replacingOccurrences(
            of: #""aud":"\#(TestKeys.clientID)""#, with: #""aud":["x","\#(TestKeys.clientID)"]"#))
        XCTAssertEqual(verify(array).verifiedClaims?.clientID, TestKeys.clientID)
    }

    // MARK: step 9

    func testScopes() {
        let access = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims(scope: "openid profile orders/read"))
        XCTAssertNil(verify(access, scopes: ["orders/read", "openid"]).errorType)
        XCTAssertEqual(verify(access, scopes: ["orders/read", "orders/write"]).errorType, "MissingScope")
        XCTAssertEqual(verify(access, scopes: ["orders"]).errorType, "MissingScope")
        let id = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims())
        XCTAssertEqual(verify(id, scopes: ["openid"]).errorType, "MissingScope")
    }

    /// Step order: an expired token with the wrong audience reports the earlier step.
    func testChecksRunInOrder() {
        let both = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(exp: TestKeys.now - 5, aud: "nope"))
        XCTAssertEqual(verify(both).errorType, "TokenExpired")
        let badSigWrongIss = TestKeys.strangerKey.token(payloadJSON: TestKeys.idClaims(iss: "https://x"), kid: "id-key-1")
        XCTAssertEqual(verify(badSigWrongIss).errorType, "WrongIssuer")
        let noneAndMalformedPayload = JWTEncoding.base64URL(#"{"alg":"none"}"#) + "." + JWTEncoding.base64URL("[]") + "."
        XCTAssertEqual(verify(noneAndMalformedPayload).errorType, "MalformedToken")
    }

    func testMessagesNeverEchoTheToken() {
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(iss: "https://attacker.example/secret-marker"))
        let error = verify(token).error
        XCTAssertEqual(error?.errorType, "WrongIssuer")
        XCTAssertFalse(error!.message.contains("secret-marker"))
        XCTAssertFalse(error!.message.contains(token.prefix(20)))
    }
}
