@testable import authrpc
import Wire
import XCTest

/// How `authrpc call` prints answers (the generated JSON view): proto field names in
/// snake_case, enums by short lower-case name, default values left out, `payload_json`
/// as the JSON object it holds.
final class JSONViewTests: XCTestCase {
    private func claims() -> Claims {
        var claims = Claims()
        claims.sub = "sub-1"
        claims.username = "alice"
        claims.emailVerified = true
        claims.groups = ["admins"]
        claims.tokenUse = .access
        claims.clientID = "client-1"
        claims.expiresAt = 1_760_003_600
        claims.payloadJSON = #"{"token_use":"access","scope":"openid","exp":1760003600,"nested":{"b":[1,2.5,true,null],"a":"x"}}"#
        return claims
    }

    func testVerifyTokenAnswer() {
        let response = Response(id: 7, body: .verifyToken(VerifyTokenResponse(claims: claims())))
        XCTAssertEqual(response.json.rendered(), """
            {
              "id": 7,
              "verify_token": {
                "claims": {
                  "sub": "sub-1",
                  "username": "alice",
                  "email_verified": true,
                  "groups": [
                    "admins"
                  ],
                  "token_use": "access",
                  "client_id": "client-1",
                  "expires_at": 1760003600,
                  "payload_json": {
                    "exp": 1760003600,
                    "nested": {
                      "a": "x",
                      "b": [
                        1,
                        2.5,
                        true,
                        null
                      ]
                    },
                    "scope": "openid",
                    "token_use": "access"
                  }
                }
              }
            }
            """)
    }

    /// A repeat token's answer, sent as bytes serialized earlier, prints like the value.
    func testPreEncodedAnswerPrintsLikeTheValue() throws {
        let value = VerifyTokenResponse(claims: claims())
        let encoded = Response(id: 7, body: .verifyTokenEncoded(try EncodedVerifyTokenResponse(value)))
        XCTAssertEqual(encoded.json.rendered(), Response(id: 7, body: .verifyToken(value)).json.rendered())
    }

    func testFailureWithBodyAndEnumNames() {
        let response = Response(id: 3, status: .unavailable, message: "not ready", errorType: "NotReady", retryAfterMs: 1000,
                                body: .health(HealthResponse(version: "0.1.0", pools: [PoolStatus(issuer: "https://i", keys: 0)])))
        XCTAssertEqual(response.json.rendered(), """
            {
              "id": 3,
              "status": "unavailable",
              "message": "not ready",
              "error_type": "NotReady",
              "retry_after_ms": 1000,
              "health": {
                "version": "0.1.0",
                "pools": [
                  {
                    "issuer": "https://i"
                  }
                ]
              }
            }
            """)
        XCTAssertEqual(Response.failure(id: 1, .permissionDenied, errorType: "MissingScope", message: "m").json.rendered(), """
            {
              "id": 1,
              "status": "permission_denied",
              "message": "m",
              "error_type": "MissingScope"
            }
            """)
    }

    func testMapsSortedAndEmptyMessagesShown() {
        let challenge = Challenge(name: "NEW_PASSWORD_REQUIRED", session: "s", parameters: ["b": "2", "a": "1"])
        XCTAssertEqual(Response(id: 1, body: .authenticate(AuthenticateResponse(challenge: challenge))).json.rendered(), """
            {
              "id": 1,
              "authenticate": {
                "challenge": {
                  "name": "NEW_PASSWORD_REQUIRED",
                  "session": "s",
                  "parameters": {
                    "a": "1",
                    "b": "2"
                  }
                }
              }
            }
            """)
        XCTAssertEqual(Response(id: 2, body: .signOut(SignOutResponse())).json.rendered(), """
            {
              "id": 2,
              "sign_out": {}
            }
            """)
    }

    func testPayloadThatIsNotJSONStaysAString() {
        var claims = Claims()
        claims.payloadJSON = "not json"
        XCTAssertEqual(claims.json.rendered(), """
            {
              "payload_json": "not json"
            }
            """)
    }
}
