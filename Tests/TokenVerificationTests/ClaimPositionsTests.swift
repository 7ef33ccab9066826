import Foundation
import TokenMinting
import TokenTestSupport
import TokenVerification
import XCTest

/// `ClaimPositions` (what the service writes its answer from, straight from the payload)
/// gives the values of `VerifiedClaims`, field for field, whatever the JSON spelling.
final class ClaimPositionsTests: VerifierTestCase {
    /// Every field read through the positions, as `VerifiedClaims`.
    static func read(_ p: ClaimPositions) -> VerifiedClaims {
        func text(_ t: ClaimPositions.Text) -> String { p.withBytes(of: t) { String(decoding: $0, as: UTF8.self) } }
        func list(_ l: ClaimPositions.List) -> [String] {
            var out: [String] = []
            p.forEach(in: l) { out.append(String(decoding: $0, as: UTF8.self)) }
            return out
        }
        var c = VerifiedClaims()
        c.subject = text(.subject); c.username = text(.username); c.email = text(.email)
        c.emailVerified = p.emailVerified; c.groups = list(.groups); c.tokenUse = p.tokenUse
        c.clientID = text(.clientID); c.scopes = list(.scopes); c.issuer = text(.issuer)
        c.issuedAt = p.issuedAt; c.expiresAt = p.expiresAt; c.authTime = p.authTime
        c.jti = text(.jti); c.originJTI = text(.originJTI); c.payloadJSON = text(.payloadJSON)
        return c
    }

    func testPositionsGiveTheClaimsFieldForField() throws {
        let tokens = [
            TestKeys.idKey.token(payloadJSON: TestKeys.idClaims()),
            TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(groups: [#"a\"b"#, #"\u00e9t\u00e9"#, "", "😀"])),
            TestKeys.idKey.token(payloadJSON: TestKeys.idClaims(groups: nil, extra: #","username":"bob""#)),
            TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims(scope: #"  openid  orders\/read "#, groups: [])),
            TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims(extra: #","cognito:username":"carol""#)),
            TestKeys.accessKey.token(payloadJSON: #"{"iss":"\#(TestKeys.issuer)","token_use":"access","client_id":"\#(TestKeys.clientID)","exp":\#(TestKeys.now + 60),"sub":"s\u00fcb","email_verified":"true"}"#),
        ]
        for token in tokens {
            guard case .verified(let verified) = verifier.verify(token) else { return XCTFail("did not verify: \(token)") }
            let claims = verified.claims
            let fromPositions = try XCTUnwrap(verified.withClaimPositions { Self.read($0) })
            XCTAssertEqual(fromPositions, claims, token)
            XCTAssertEqual(verified.withClaimPositions { $0.verifiedClaims }, claims, token)
        }
    }

    /// A token verified with a preparation has its answer made from the positions, and
    /// keeps that answer instead of the payload.
    func testPreparedAnswerIsMadeFromThePositions() throws {
        let token = TestKeys.accessKey.token(payloadJSON: TestKeys.accessClaims(scope: "a b"))
        let expected = try XCTUnwrap(verifier.verify(token).verifiedClaims)
        guard case .verified(let verified) = verifier.verify(token, prepare: { Answer(Self.read($0)) }) else {
            return XCTFail("did not verify")
        }
        let answer = try XCTUnwrap(verified.answer as? Answer)
        XCTAssertEqual(answer.claims, expected)
        XCTAssertNil(verified.withClaimPositions { _ in true }, "the payload is not kept beside the answer")
        XCTAssertEqual(verified.claims, expected, "the claims come back from the answer")
    }
}

private final class Answer: PreparedAnswer {
    let claims: VerifiedClaims
    var byteCount: Int { claims.payloadJSON.utf8.count }
    init(_ claims: VerifiedClaims) { self.claims = claims }
}
