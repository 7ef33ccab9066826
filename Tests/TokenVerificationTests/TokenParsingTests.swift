import Foundation
import TokenMinting
import TokenTestSupport
@testable import TokenVerification
import XCTest

/// Base64url, the JSON reader, and the mapping of Cognito-shaped tokens to `VerifiedClaims`
/// (how those become the wire's `Claims`: AuthRPCTests' `TokenMethodsTests`).
final class TokenParsingTests: XCTestCase {
    func decode(_ s: String) -> [UInt8]? { Base64URL.decode(s) }

    func testBase64URLRoundTripAndStrictness() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            XCTAssertEqual(decode(Base64URL.encode(bytes)), bytes)
        }
        XCTAssertEqual(decode("-_8"), [0xFB, 0xFF])
        XCTAssertNil(decode("+/8"), "standard alphabet")
        XCTAssertNil(decode("QQ=="), "padding")
        XCTAssertNil(decode("QUJD="), "padding")
        XCTAssertNil(decode("Q"), "impossible length")
        XCTAssertNil(decode("QUJDR"), "impossible length")
        XCTAssertNil(decode("QR"), "non-zero trailing bits")
        XCTAssertNil(decode("QUF"), "non-zero trailing bits")
        XCTAssertNil(decode("QU JD"), "space")
        XCTAssertNil(decode("QUJD\n"), "newline")
        XCTAssertEqual(decode(""), [])
    }

    func parse(_ json: String) -> Result<TokenClaims, JSONReader.Malformed> {
        Array(json.utf8).withUnsafeBytes { raw in Result { () throws(JSONReader.Malformed) in try TokenClaims(json: raw) } }
    }

    func testHeaderMemoAnswersOnlyForTheExactText() throws {
        let memo = JWTHeaderMemo()
        func text(_ json: String) -> [UInt8] { Array(JWTEncoding.base64URL(json).utf8) }
        let rs = text(#"{"kid":"k1","alg":"RS256"}"#), hs = text(#"{"kid":"k1","alg":"HS256"}"#)
        rs.withUnsafeBytes { memo.remember($0, JWTHeader(algorithm: "RS256", keyID: "k1", hasCriticalExtensions: false)) }
        XCTAssertEqual(rs.withUnsafeBytes { memo.lookup($0)?.algorithm }, "RS256")
        XCTAssertNil(hs.withUnsafeBytes { memo.lookup($0) }, "same length, one byte differs")
        XCTAssertNil(rs.dropLast().withUnsafeBytes { memo.lookup($0) }, "prefix")
        // Old entries make room for new ones; each answer stays tied to its own text.
        for i in 0..<(JWTHeaderMemo.capacity * 2) {
            let t = text(#"{"kid":"key-\#(i)","alg":"RS256"}"#)
            t.withUnsafeBytes { memo.remember($0, JWTHeader(algorithm: "RS256", keyID: "key-\(i)", hasCriticalExtensions: false)) }
            XCTAssertEqual(t.withUnsafeBytes { memo.lookup($0)?.keyID }, "key-\(i)")
        }
        XCTAssertNil(rs.withUnsafeBytes { memo.lookup($0) }, "evicted")
        let long = [UInt8](repeating: UInt8(ascii: "A"), count: JWTHeaderMemo.maxTextCount + 1)
        long.withUnsafeBytes { memo.remember($0, JWTHeader(algorithm: nil, keyID: nil, hasCriticalExtensions: false)) }
        XCTAssertNil(long.withUnsafeBytes { memo.lookup($0) }, "long headers are not remembered")
    }

    /// A string claim's value, read from `json` (the buffer that was parsed).
    func text(_ claim: ClaimText?, in json: String) -> String? {
        Array(json.utf8).withUnsafeBytes { claim?.string(in: $0) }
    }

    func testJSONStringsAndEscapes() throws {
        let json = #"{"sub":"a\"b\\c\/d\b\f\n\r\t","email":"\u00e9\u4e2d\ud83d\ude00","username":"é中😀"}"#
        let claims = try parse(json).get()
        XCTAssertEqual(text(claims.subject, in: json), "a\"b\\c/d\u{8}\u{c}\n\r\t")
        XCTAssertEqual(text(claims.email, in: json), "é中😀")
        XCTAssertEqual(text(claims.username, in: json), "é中😀")
        // Unescaped text stays a position in the payload; only escapes make a String.
        XCTAssertEqual(claims.username, .span(start: 77, count: 9))
        guard case .unescaped = claims.subject else { return XCTFail("escaped claim kept as a span") }
    }

    func testGroupsAndScopesAreReadOnDemand() throws {
        let json = #"{"cognito:groups":[ "admins" , "Read\u0065rs" ],"scope":"  openid  orders/read ","token_use":"access"}"#
        let claims = try parse(json).get()
        XCTAssertEqual(claims.tokenUse, .access)
        Array(json.utf8).withUnsafeBytes { payload in
            XCTAssertEqual(claims.groups(in: payload), ["admins", "Readers"])
            XCTAssertEqual(claims.scope?.words(in: payload), ["openid", "orders/read"])
            XCTAssertEqual(claims.scope?.containsWord("orders/read", in: payload), true)
            XCTAssertEqual(claims.scope?.containsWord("orders", in: payload), false)
            XCTAssertEqual(claims.scope?.containsWord("", in: payload), false)
        }
        XCTAssertNil(try parse(#"{"token_use":"ID"}"#).get().tokenUse)
        XCTAssertNil(try parse(#"{"token_use":null}"#).get().tokenUse)
        XCTAssertNil(try parse(#"{"cognito:groups":null}"#).get().groupsArray)
    }

    func testJSONRejections() {
        let bad = [
            #"{"sub":"\ud83d"}"#, #"{"sub":"\ude00x"}"#, #"{"sub":"\x"}"#, #"{"sub":"\u12"}"#,
            "{\"sub\":\"a\u{1}b\"}", #"{"sub":"a"#, #"{"sub":"a",}"#, #"{"sub" "a"}"#, #"{,}"#,
            #"{"exp":01}"#, #"{"exp":1.}"#, #"{"exp":-}"#, #"{"exp":1e}"#, #"{"exp":+1}"#, #"{"a":tru}"#,
            #"{"a":[1,]}"#, #"{"a":{"b":1,"b":2}}"#, #"{"iss":1}"#, #"{"cognito:groups":"admins"}"#,
            #"{"cognito:groups":[1]}"#, #"{"a":1} x"#, "\u{FEFF}{}", #"[]"#, "", "  ",
            String(repeating: #"{"a":"#, count: 20) + "1" + String(repeating: "}", count: 20),
        ]
        for json in bad {
            if case .success = parse(json) { XCTFail("accepted \(json.debugDescription)") }
        }
        // Invalid UTF-8 inside a string.
        for bytes: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82]] {
            let json = Array(#"{"sub":""#.utf8) + bytes + Array(#""}"#.utf8)
            let r = json.withUnsafeBytes { raw in Result { () throws(JSONReader.Malformed) in try TokenClaims(json: raw) } }
            if case .success = r { XCTFail("accepted invalid UTF-8 \(bytes)") }
        }
    }

    func testJSONSkipsUnknownValuesOfEveryKind() throws {
        let claims = try parse(#" { "x" : { "y" : [ 1 , -2.5e+3 , true , false , null , "s" , { } , [ ] ] } , "exp" : 1700000000.9 , "nbf" : null } "#).get()
        XCTAssertEqual(claims.expiresAt, 1_700_000_000)
        XCTAssertNil(claims.notBefore)
    }

    func testEmailVerifiedAsStringOrBool() throws {
        XCTAssertTrue(try parse(#"{"email_verified":true}"#).get().emailVerified)
        XCTAssertTrue(try parse(#"{"email_verified":"true"}"#).get().emailVerified)
        XCTAssertFalse(try parse(#"{"email_verified":"false"}"#).get().emailVerified)
        XCTAssertFalse(try parse(#"{}"#).get().emailVerified)
    }

    // MARK: claims mapping

    func verifier() async -> (TokenVerifier, JWKSRegistry, JWKSFile) {
        let file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey]))
        let clock = FakeClock()
        let registry = await startedRegistry(jwksURL: file.url, clock: clock)
        return (TokenVerifier(settings: testSettings(), keys: registry, clock: clock.clock), registry, file)
    }

    func testIdTokenClaims() async throws {
        let (verifier, registry, file) = await verifier()
        defer { file.delete() }
        let payload = TestKeys.idClaims()
        let claims = try XCTUnwrap(verifier.verify(TestKeys.idKey.token(payloadJSON: payload)).verifiedClaims)
        XCTAssertEqual(claims, TestKeys.idVerifiedClaims(payloadJSON: payload))
        await registry.shutdown()
    }

    func testAccessTokenClaims() async throws {
        let (verifier, registry, file) = await verifier()
        defer { file.delete() }
        let payload = TestKeys.accessClaims(scope: "openid email aws.cognito.signin.user.admin", groups: nil)
        let claims = try XCTUnwrap(verifier.verify(TestKeys.accessKey.token(payloadJSON: payload)).verifiedClaims)
        XCTAssertEqual(claims.username, "alice")
        XCTAssertEqual(claims.tokenUse, .access)
        XCTAssertEqual(claims.clientID, TestKeys.clientID)
        XCTAssertEqual(claims.scopes, ["openid", "email", "aws.cognito.signin.user.admin"])
        XCTAssertEqual(claims.groups, [])
        XCTAssertEqual(claims.email, "")
        XCTAssertFalse(claims.emailVerified)
        XCTAssertEqual(claims.jti, "5678-access-jti")
        XCTAssertEqual(claims.payloadJSON, payload)
        // payload_json is real JSON a client can parse for custom claims.
        let object = try JSONSerialization.jsonObject(with: Data(claims.payloadJSON.utf8)) as? [String: Any]
        XCTAssertEqual(object?["client_id"] as? String, TestKeys.clientID)
        await registry.shutdown()
    }
}
