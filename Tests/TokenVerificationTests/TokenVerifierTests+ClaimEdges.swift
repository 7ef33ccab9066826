import Foundation
import TokenTestSupport
import TokenVerification
import XCTest

/// SPEC §6 step 1 at its edges. Claims are returned exactly as signed, or the token is
/// refused: U+0000 in a string (which protobuf-c strings would cut short) and time claims
/// outside the one NumericDate rule (docs/TOKEN_VERIFICATION.md) are `MalformedToken`.
extension TokenVerifierTests {
    fileprivate func verifyID(extra: String = "", exp: String? = nil, groups: [String]? = ["admins"]) -> TokenVerifier.Outcome {
        var claims = TestKeys.idClaims(groups: groups, extra: extra)
        if let exp { claims = claims.replacingOccurrences(of: "\"exp\":\(TestKeys.now + 3600)", with: "\"exp\":\(exp)") }
        return verifier.verify(TestKeys.idKey.token(payloadJSON: claims), tokenUse: .id)
    }

    // MARK: U+0000

    func testNULInAnyStringClaimIsMalformed() {
        let sub = TestKeys.idClaims().replacingOccurrences(of: #""sub":"5f1e0c1a-0000-4000-8000-000000000001""#,
                                                          with: #""sub":"admin\u0000-attacker""#)
        XCTAssertEqual(verifier.verify(TestKeys.idKey.token(payloadJSON: sub)).errorType, "MalformedToken")
        let email = TestKeys.idClaims().replacingOccurrences(of: #""email":"alice@example.com""#,
                                                            with: #""email":"ceo@corp.example\u0000@evil.example""#)
        XCTAssertEqual(verifier.verify(TestKeys.idKey.token(payloadJSON: email)).errorType, "MalformedToken")
        XCTAssertEqual(verifyID(groups: [#"admins\u0000-not-really"#]).errorType, "MalformedToken")
        // In an unknown claim, and in a key, too: no string in a token may hold it.
        XCTAssertEqual(verifyID(extra: #","custom":{"note":"a\u0000b"}"#).errorType, "MalformedToken")
        XCTAssertEqual(verifyID(extra: #","a\u0000b":1"#).errorType, "MalformedToken")
        // Other escapes of control characters stay allowed and are returned exactly.
        let tab = verifyID(groups: [#"ad\tmins"#, #"\u0001x"#])
        XCTAssertEqual(tab.verifiedClaims?.groups, ["ad\tmins", "\u{1}x"])
    }

    func testNULInTheHeaderIsMalformed() {
        let header = #"{"alg":"RS256","kid":"id-key-1","typ":"JWT\u0000"}"#
        let token = TestKeys.idKey.sign(headerJSON: header, payloadJSON: TestKeys.idClaims())
        XCTAssertEqual(verifier.verify(token).errorType, "MalformedToken")
    }

    // MARK: NumericDate

    func testTimeClaimsFollowOneRuleAtTheEdges() {
        let accepted: [(String, Int64)] = [
            ("9007199254740991", 9_007_199_254_740_991),        // 2^53 - 1
            ("1.9e9", 1_900_000_000), ("1.9E+9", 1_900_000_000),
            ("\(TestKeys.now + 3600).75", TestKeys.now + 3600),  // fractions are floored
            ("9.007199254740991e15", 9_007_199_254_740_991),
        ]
        for (text, value) in accepted {
            let outcome = verifyID(exp: text)
            XCTAssertEqual(outcome.verifiedClaims?.expiresAt, value, text)
        }
        let malformed = ["9007199254740992", "9007199254740993", "99999999999999999", "999999999999999999",
                         "-9007199254740992", "1e16", "9.007199254740992e15", "1e400", "-1e400"]
        for text in malformed {
            XCTAssertEqual(verifyID(exp: text).errorType, "MalformedToken", text)
        }
        // In range but in the past: expired, not malformed; negative values are just old.
        for text in ["-9007199254740991", "-1", "0", "-0", "-0.5", "1e2"] {
            XCTAssertEqual(verifyID(exp: text).errorType, "TokenExpired", text)
        }
        // The rule is the same for every time claim.
        XCTAssertEqual(verifyID(extra: #","nbf":9007199254740992"#).errorType, "MalformedToken")
        XCTAssertEqual(verifyID(extra: #","nbf":-9007199254740991"#).errorType, nil)
    }
}
