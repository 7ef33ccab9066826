import TokenMinting
import TokenTestSupport
@testable import TokenVerification
@testable import AuthRPC
import Foundation
import Wire
import XCTest

/// VerifyToken's answer for a new token is written straight from the verified payload
/// (`ClaimPositions` → `EncodedVerifyTokenResponse.init(claims:)`). Differential: over
/// many generated tokens (escapes, unicode, missing and null claims, groups lists, both
/// token kinds) it must be byte for byte what protobuf-c packs for the same token's
/// `Claims` made the Swift way (`VerifiedToken.claims`).
final class AnswerEncodingDifferentialTests: XCTestCase {
    var file: JWKSFile!
    var registry: JWKSRegistry!
    var verifier: TokenVerifier!

    override func setUp() async throws {
        file = JWKSFile(DevTokenSigner.jwksJSON([TestKeys.idKey, TestKeys.accessKey]))
        let config = testConfig(jwksURL: file.url)
        registry = JWKSRegistry(config: config, transport: FakeJWKSServer(jwks: ""), clock: FakeClock().clock)
        await registry.start()
        verifier = TokenVerifier(config: config, keys: registry, clock: FakeClock().clock)
    }

    override func tearDown() async throws {
        await registry?.shutdown()
        file.delete()
    }

    /// The answer both ways; nil when the token does not verify.
    private func answers(_ token: String) throws -> (direct: EncodedVerifyTokenResponse, packed: EncodedVerifyTokenResponse,
                                                     claims: VerifiedClaims)? {
        guard case .verified(let reference) = verifier.verify(token) else { return nil }
        let claims = reference.claims
        let packed = try EncodedVerifyTokenResponse(VerifyTokenResponse(claims: Claims(claims)))
        guard case .verified(let prepared) = verifier.verify(token, prepare: VerifiedToken.prepareEncodedAnswer),
              let answer = prepared.answer, let ours = EncodedVerifyTokenAnswer.from(answer)
        else {
            XCTFail("verified once, not the second time: \(token)")
            return nil
        }
        return (ours.encoded, packed, claims)
    }

    // MARK: generated payloads

    /// JSON spellings of string values: plain, escaped, unicode raw and escaped, empty, long.
    private static let strings: [String] = [
        #""alice""#, #""""#, #""a\"quote""#, #""back\\slash""#, #""tab\there\nnewline""#, #""sl\/ash""#,
        #""\u00e9t\u00e9""#, #""été""#, #""😀""#, #""\ud83d\ude00 smile""#, #""中文 ü""#, #""\u0041\u0062c""#,
        #""\b\f\r""#, "\"" + String(repeating: "long-", count: 40) + "\"",
        "\"" + String(repeating: "\\u00e9", count: 30) + "\"",
    ]

    private static let groupLists: [String?] = [
        nil, "null", "[]", #"["admins"]"#, #"["admins","Readers"]"#, #"["","x",""]"#, #"["a\"b","\u00e9","😀"]"#,
        #"[ "spaced" , "list" ]"#, "[" + (0..<40).map { "\"group-\($0)\"" }.joined(separator: ",") + "]",
    ]

    private static let scopes: [String?] = [
        nil, "null", #""""#, #""openid""#, #""aws.cognito.signin.user.admin openid profile""#, #""  a   b  ""#,
        #""x\u0020y""#, #""ünï côdé""#,
    ]

    private static let numbers: [String?] = [nil, "null", "0", "1", "-1", "127", "128", "1700000000", "-1700000000",
                                              "9007199254740991", "-9007199254740991", "1.7e9", "1700000000.5"]

    /// A payload for `kind` from the choices `pick` makes; `nil` members are left out.
    private static func payload(kind: TokenKind, _ pick: (Int) -> Int) -> String {
        func one<T>(_ values: [T]) -> T { values[pick(values.count)] }
        let text: [String?] = strings.map { $0 }
        var members: [String] = []
        func add(_ name: String, _ value: String?) { if let value { members.append(#""\#(name)":\#(value)"#) } }
        add("sub", one(text + [nil, "null"]))
        add("iss", "\"\(TestKeys.issuer)\"")
        add("exp", "\(TestKeys.now + 3600)")
        add("iat", one(numbers.filter { $0 != "9007199254740991" }))
        add("auth_time", one(numbers))
        add("jti", one(text + [nil]))
        add("origin_jti", one(text + [nil, "null"]))
        add("email", one(text + [nil]))
        add("email_verified", one([nil, "null", "true", "false", #""true""#, #""false""#]))
        add("cognito:groups", one(groupLists))
        add("event_id", one(text))  // unknown claims only travel in payload_json
        switch kind {
        case .access:
            add("token_use", #""access""#)
            add("client_id", "\"\(TestKeys.clientID)\"")
            add("scope", one(scopes))
            add("username", one(text + [nil]))
            add("cognito:username", one([nil] + text))
        case .id:
            add("token_use", #""id""#)
            add("aud", one(["\"\(TestKeys.clientID)\"", #"["other","secondclient"]"#, "[\"\(TestKeys.clientID)\"]"]))
            add("cognito:username", one(text + [nil]))
            add("username", one([nil] + text))
        }
        // Member order varies too: payload_json is the payload exactly as signed.
        let rotation = pick(members.count)
        let ordered = Array(members[rotation...] + members[..<rotation])
        let spacing = one(["", " ", "\n  "])
        return "{" + spacing + ordered.joined(separator: "," + spacing) + spacing + "}"
    }

    func testDirectAnswerEqualsProtobufCOverManyTokens() throws {
        var generator = SplitMix64(seed: 0x5eed_0f_a115)
        var compared = 0
        for i in 0..<400 {
            let kind: TokenKind = i % 2 == 0 ? .access : .id
            let payload = Self.payload(kind: kind) { Int(generator.next() % UInt64($0)) }
            let token = (kind == .access ? TestKeys.accessKey : TestKeys.idKey).token(payloadJSON: payload)
            guard let (direct, packed, claims) = try answers(token) else {
                XCTFail("generated token did not verify: \(payload)")
                continue
            }
            XCTAssertEqual(direct, packed, "payload: \(payload)")
            XCTAssertEqual(direct.response?.claims, Claims(claims), "payload: \(payload)")
            compared += 1
        }
        XCTAssertEqual(compared, 400)
    }

    /// Claims whose sizes need two- and three-byte length varints (payload over 16 KiB of
    /// claims once groups and payload_json are both written).
    func testLargeAnswers() throws {
        let groups = (0..<300).map { #""group-with-a-longish-name-\#($0)""# }.joined(separator: ",")
        let payload = TestKeys.accessClaims(groups: nil, extra: #","cognito:groups":[\#(groups)]"#)
        let token = TestKeys.accessKey.token(payloadJSON: payload)
        XCTAssertLessThanOrEqual(token.utf8.count, 16384)
        guard let (direct, packed, _) = try answers(token) else { return XCTFail("did not verify") }
        XCTAssertGreaterThan(direct.byteCount, 16384)
        XCTAssertEqual(direct, packed)
    }

    /// U+0000 never reaches the encoder: the token is malformed (SPEC §6 step 1).
    func testNULInAClaimIsStillMalformed() {
        for payload in [TestKeys.accessClaims(extra: #","x":"a\u0000b""#),
                        TestKeys.accessClaims(groups: [#"admins\u0000-not-really"#])] {
            let token = TestKeys.accessKey.token(payloadJSON: payload)
            XCTAssertEqual(verifier.verify(token, prepare: VerifiedToken.prepareEncodedAnswer).errorType, "MalformedToken")
        }
    }

    /// A token CheckGroups verified first (no answer prepared) gets the same bytes when
    /// VerifyToken attaches its answer later.
    func testAnswerAttachedLaterIsTheSame() throws {
        let token = TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(groups: [#"a\"b"#, "ü"]))
        guard case .verified(let verified) = verifier.verify(token) else { return XCTFail("did not verify") }
        let attached = verified.attach { verified.withClaimPositions(EncodedVerifyTokenAnswer.prepare) ?? nil }
        let ours = try XCTUnwrap(attached.flatMap(EncodedVerifyTokenAnswer.from))
        XCTAssertEqual(ours.encoded, try EncodedVerifyTokenResponse(VerifyTokenResponse(claims: Claims(verified.claims))))
    }
}

/// A small deterministic generator, so a failure names a payload that comes back.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
