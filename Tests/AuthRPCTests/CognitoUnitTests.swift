@testable import CognitoIdentity
@testable import CurlHTTP
@testable import AuthRPC
import Foundation
import Wire
import XCTest

final class CognitoUnitTests: XCTestCase {
    /// Vectors from Python's hmac, computed independently:
    /// python3 -c "import hmac,hashlib,base64; print(base64.b64encode(hmac.new(KEY, USER+CLIENT, hashlib.sha256).digest()).decode())"
    func testSecretHashMatchesPythonVectors() {
        XCTAssertEqual(SecretHash.compute(secret: "k9sd8f7g6h5j4k3l2m1n0p9q8r7s6t5u4v3w2x1y0zabcdefghij",
                                          username: "demo", clientID: "5ab1cdefgh2ijklmno3pqrstuv"),
                       "mw9bHhGFhKSq9RQBg80u/cRiMgiQ7gXOzXzXsI1jwY0=")
        XCTAssertEqual(SecretHash.compute(secret: "sécret", username: "ünïcode-user", clientID: "cid"),
                       "NhdWAxd9j6Qai493t7q6FPDJk/obbET//Ab7x256JjQ=")
    }

    /// And against Python at test time, for inputs picked now.
    func testSecretHashMatchesPythonAtRunTime() throws {
        let secret = UUID().uuidString, user = "user-\(UInt32.random(in: 0...UInt32.max))", client = "client\(UInt16.random(in: 0...9999))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import hmac,hashlib,base64,sys
            print(base64.b64encode(hmac.new(sys.argv[1].encode(), (sys.argv[2]+sys.argv[3]).encode(), hashlib.sha256).digest()).decode())
            """, secret, user, client]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(SecretHash.compute(secret: secret, username: user, clientID: client), expected)
    }

    func testUsernameRules() {
        XCTAssertEqual(CognitoValidation.resendConfirmationCode(.init(username: "alice.b+1@x")), [])
        XCTAssertEqual(CognitoValidation.resendConfirmationCode(.init(username: "Zoë_ü")), [])
        XCTAssertEqual(CognitoValidation.resendConfirmationCode(.init(username: String(repeating: "a", count: 128))), [])
        XCTAssertEqual(CognitoValidation.resendConfirmationCode(.init(username: String(repeating: "a", count: 129))),
                       ["username must be at most 128 characters"])
        XCTAssertEqual(CognitoValidation.resendConfirmationCode(.init(username: "")), ["username is required"])
        for bad in ["a b", "a\tb", "a\u{0}b", "a\u{200B}b"] {
            XCTAssertEqual(CognitoValidation.resendConfirmationCode(.init(username: bad)).count, 1, bad)
        }
    }

    func testEmailRules() {
        for good in ["a@b.co", "first.last+tag@sub.example.org", "x_y-z@ex-ample.io", "ü@ëxample.de"] {
            XCTAssertTrue(CognitoValidation.isWellFormedEmail(good), good)
        }
        for bad in ["", "a", "a@", "@b.co", "a@b", "a@@b.co", "a b@c.co", "a@b..co", ".a@b.co", "a.@b.co", "a..b@c.co",
                    "a@-b.co", "a@b.c", "a@b.c0", "a@b_c.co", "\"a\"@b.co"] {
            XCTAssertFalse(CognitoValidation.isWellFormedEmail(bad), bad)
        }
    }

    func testPasswordRulesAllNamed() {
        let v = CognitoValidation.confirmForgotPassword(.init(username: "u", code: "1", newPassword: "abc"))
        XCTAssertEqual(v, ["new_password must be at least 8 characters", "new_password must contain an upper-case letter",
                           "new_password must contain a digit"])
        XCTAssertEqual(CognitoValidation.confirmForgotPassword(.init(username: "u", code: "1", newPassword: "ABCDEFGH1")),
                       ["new_password must contain a lower-case letter"])
        XCTAssertEqual(CognitoValidation.confirmForgotPassword(.init(username: "u", code: "1", newPassword: "Abcdefg1")), [])
        // Sign-in does not apply the strength rules: old passwords may predate the policy.
        XCTAssertEqual(CognitoValidation.authenticate(.init(username: "u", password: "x")), [])
    }

    func testRequiredFields() {
        XCTAssertEqual(CognitoValidation.respondToChallenge(.init(username: "u", challengeName: "", session: "")),
                       ["challenge_name is required", "session is required"])
        XCTAssertEqual(CognitoValidation.respondToChallenge(.init(username: "u", challengeName: "NEW_PASSWORD_REQUIRED", session: "s")),
                       ["responses.NEW_PASSWORD is required"])
        XCTAssertEqual(CognitoValidation.refreshTokens(.init(refreshToken: ""), secretConfigured: false), ["refresh_token is required"])
        XCTAssertEqual(CognitoValidation.refreshTokens(.init(refreshToken: "t"), secretConfigured: false), [])
        XCTAssertEqual(CognitoValidation.refreshTokens(.init(refreshToken: "t"), secretConfigured: true), ["username is required"])
        XCTAssertEqual(CognitoValidation.signOut(.init()), ["access_token is required"])
        XCTAssertEqual(CognitoValidation.register(.init(username: "u", password: "Abcdefg1", email: "")), ["email is required"])
        XCTAssertEqual(CognitoValidation.confirmRegistration(.init(username: "u", code: "12 34")), ["code must not contain spaces"])
    }

    func testErrorNameNormalisation() {
        func name(_ header: String?, _ type: String?) -> String {
            CognitoIdentityClient.errorName(header: header, bodyType: type)
        }
        XCTAssertEqual(name("NotAuthorizedException:http://internal.amazon.com/coral/com.amazon.coral.validate/", "Other"),
                       "NotAuthorizedException")
        XCTAssertEqual(name(nil, "com.amazonaws.cognito.identityprovider.model#UserNotFoundException"), "UserNotFoundException")
        XCTAssertEqual(name("aws#Foo:bar", nil), "Foo")
        XCTAssertEqual(name(nil, nil), "")
        // What cannot be an exception name is no name: it would reach error_type and the
        // log as sent (a fuzzer found a session echoed there: Fuzz/findings/).
        XCTAssertEqual(name("AYABeFhJ0Ld-session-text", nil), "")
        XCTAssertEqual(name("Bad Name\u{1}", nil), "")
        XCTAssertEqual(name(String(repeating: "A", count: 65), nil), "")
        XCTAssertEqual(name(String(repeating: "A", count: 64), nil), String(repeating: "A", count: 64))
    }

    func testBackoffGrowsWithJitterAndCap() {
        let policy = RetryPolicy()
        for _ in 0..<50 {
            let first = policy.delay(afterAttempt: 1), second = policy.delay(afterAttempt: 2), late = policy.delay(afterAttempt: 30)
            XCTAssertTrue((.milliseconds(50) ... .milliseconds(100)).contains(first))
            XCTAssertTrue((.milliseconds(100) ... .milliseconds(200)).contains(second))
            XCTAssertTrue((.seconds(1) ... .seconds(2)).contains(late))
        }
    }

    func testRedactor() {
        let r = Redactor(["hunter2Secret", ""])
        XCTAssertEqual(r.clean("bad hunter2Secret\n here"), "bad <redacted> here")
        XCTAssertEqual(r.message("echo hunter2Secret", fallback: "generic"), "generic")
        XCTAssertEqual(r.message("plain", fallback: "generic"), "plain")
    }
}
