@testable import CognitoIdentity
@testable import AuthRPC
import Foundation
import Wire
import XCTest

/// The account RPCs end to end against moto's Cognito (one moto per test class),
/// called through the handlers as the dispatcher calls them. What moto does not
/// emulate (ResendConfirmationCode, real codes, throttling) is noted per test and
/// covered by `CognitoFaultTests`.
final class CognitoMotoTests: XCTestCase {
    nonisolated(unsafe) static var moto: MotoServer?
    nonisolated(unsafe) static var startError: (any Error)?
    var harness: CognitoHarness!
    /// Every secret a test handed out or got back, for the log scan in `tearDown`.
    var secrets: [String] = []
    /// Every username a test made (`unique`): Cognito echoes them in its errors
    /// (`UsernameExistsException`), and no log line may repeat one, in any case (SPEC §9).
    var identifiers: [String] = []

    override class func setUp() {
        do { moto = try MotoServer() } catch { startError = error }
    }

    override class func tearDown() {
        moto?.stop()
        moto = nil
    }

    var moto: MotoServer { Self.moto! }

    override func setUpWithError() throws {
        if let error = Self.startError { throw error }
        harness = CognitoHarness(endpoint: moto.endpoint, clientID: moto.clientID, region: moto.region)
    }

    /// SPEC §5: no password, token, code, session, secret or SECRET_HASH in any log line.
    override func tearDown() {
        if let harness {
            let lines = harness.logs.all
            for secret in Set(secrets) where !secret.isEmpty {
                for line in lines where line.contains(secret) {
                    XCTFail("a secret (\(secret.prefix(3))…) appears in a log line: \(line)")
                }
            }
            for identifier in Set(identifiers) {
                for line in lines where line.lowercased().contains(identifier.lowercased()) {
                    XCTFail("a username appears in a log line: \(line)")
                }
            }
            harness.shutdown()
        }
        harness = nil
    }

    private func unique(_ prefix: String) -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        identifiers.append(name)
        return name
    }

    private func keep(_ tokens: Tokens?) {
        guard let tokens else { return }
        secrets += [tokens.idToken, tokens.accessToken, tokens.refreshToken]
    }

    private func signIn(_ username: String, _ password: String, harness: CognitoHarness? = nil) async throws -> Response {
        secrets.append(password)
        let response = try await (harness ?? self.harness).response(.authenticate(AuthenticateRequest(username: username, password: password)))
        keep(response.tokens)
        secrets.append(response.challenge?.session ?? "")
        return response
    }

    func testRegisterConfirmSignInRefreshSignOut() async throws {
        let user = unique("alice"), password = "Str0ngPassword"
        secrets += [password, "WeakPassword", "123456"]
        let register = RegisterRequest(username: user, password: password, email: "\(user)@example.com")

        let registered = try await harness.response(.register(register))
        XCTAssertEqual(registered.status, .ok, registered.message)
        guard case .register(let reply)? = registered.body else { return XCTFail("no register body") }
        XCTAssertFalse(reply.userSub.isEmpty)
        XCTAssertFalse(reply.userConfirmed)
        XCTAssertEqual(reply.codeDelivery?.deliveryMedium, "EMAIL")

        let duplicate = try await harness.response(.register(register))
        XCTAssertEqual(duplicate.status, .alreadyExists)
        XCTAssertEqual(duplicate.errorType, "UsernameExistsException")

        var weak = register; weak.username = unique("weak"); weak.password = "weakpassword"
        let weakAnswer = try await harness.call(.register(weak))
        XCTAssertTrue(weakAnswer.immediate)
        XCTAssertEqual(weakAnswer.response.status, .invalidArgument)
        XCTAssertEqual(weakAnswer.response.errorType, "ValidationFailed")
        XCTAssertTrue(weakAnswer.response.message.contains("upper-case"))

        var badEmail = register; badEmail.username = unique("bad"); badEmail.email = "nobody@"
        let badEmailAnswer = try await harness.response(.register(badEmail))
        XCTAssertEqual(badEmailAnswer.status, .invalidArgument)
        XCTAssertTrue(badEmailAnswer.message.contains("email must be a well-formed address"))

        let early = try await signIn(user, password)
        XCTAssertEqual(early.status, .failedPrecondition)
        XCTAssertEqual(early.errorType, "UserNotConfirmedException")

        // moto accepts any confirmation code (docs/DEV_COGNITO.md); the call path is what is tested.
        let confirmed = try await harness.response(.confirmRegistration(ConfirmRegistrationRequest(username: user, code: "123456")))
        XCTAssertEqual(confirmed.status, .ok, confirmed.message)

        let signedIn = try await signIn(user, password)
        XCTAssertEqual(signedIn.status, .ok, signedIn.message)
        let tokens = try XCTUnwrap(signedIn.tokens)
        XCTAssertFalse(tokens.idToken.isEmpty || tokens.accessToken.isEmpty || tokens.refreshToken.isEmpty)
        XCTAssertEqual(tokens.expiresIn, 3600)
        XCTAssertEqual(tokens.tokenType, "Bearer")

        let refreshed = try await harness.response(.refreshTokens(RefreshTokensRequest(refreshToken: tokens.refreshToken)))
        keep(refreshed.tokens)
        XCTAssertEqual(refreshed.status, .ok, refreshed.message)
        XCTAssertFalse(refreshed.tokens?.accessToken.isEmpty ?? true)
        XCTAssertEqual(refreshed.tokens?.refreshToken, "")  // Cognito issues none: keep the old one

        let signOut = SignOutRequest(accessToken: tokens.accessToken)
        let signedOut = try await harness.response(.signOut(signOut))
        XCTAssertEqual(signedOut.status, .ok, signedOut.message)

        let revoked = try await harness.response(.refreshTokens(RefreshTokensRequest(refreshToken: tokens.refreshToken)))
        XCTAssertEqual(revoked.status, .unauthenticated)
        XCTAssertEqual(revoked.errorType, "NotAuthorizedException")

        // moto's message for a second sign-out is the token itself: it must not come back.
        let again = try await harness.response(.signOut(signOut))
        XCTAssertEqual(again.status, .unauthenticated)
        XCTAssertFalse(again.message.contains(tokens.accessToken))
        // The scan in tearDown has something to scan: calls, failures and rejections all logged.
        XCTAssertGreaterThan(harness.logs.all.count, 8)
    }

    func testWrongPasswordAndUnknownUserAnswerAlike() async throws {
        let wrong = try await signIn("demo", "WrongPassw0rd")
        let unknown = try await signIn(unique("ghost"), "WrongPassw0rd")
        XCTAssertEqual(wrong.status, .unauthenticated)
        XCTAssertEqual(wrong.errorType, "NotAuthorizedException")
        XCTAssertEqual(wrong.status, unknown.status)
        XCTAssertEqual(wrong.errorType, unknown.errorType)
        XCTAssertEqual(wrong.message, unknown.message)
        let demo = try await signIn("demo", "DemoPassw0rd")
        XCTAssertEqual(demo.status, .ok)
    }

    /// moto never sends the code anywhere we can read through the service (it puts
    /// it in a response header), and accepts any code not in its own format.
    func testForgotAndConfirmForgotPassword() async throws {
        let user = unique("bob"), newPassword = "N3wPassword"
        secrets += ["Old0Password", newPassword, "654321", "moto-confirmation-code:000000"]
        _ = try await harness.response(.register(RegisterRequest(username: user, password: "Old0Password", email: "\(user)@example.com")))
        try moto.admin("confirm-user", user)

        let forgot = try await harness.response(.forgotPassword(ForgotPasswordRequest(username: user)))
        XCTAssertEqual(forgot.status, .ok, forgot.message)
        guard case .forgotPassword(let reply)? = forgot.body else { return XCTFail("no body") }
        XCTAssertEqual(reply.codeDelivery?.deliveryMedium, "EMAIL")

        let stale = try await harness.response(.confirmForgotPassword(ConfirmForgotPasswordRequest(
            username: user, code: "moto-confirmation-code:000000", newPassword: newPassword)))
        XCTAssertEqual(stale.status, .invalidArgument)
        XCTAssertEqual(stale.errorType, "ExpiredCodeException")

        let weak = try await harness.call(.confirmForgotPassword(ConfirmForgotPasswordRequest(username: user, code: "654321", newPassword: "weak")))
        XCTAssertTrue(weak.immediate)
        XCTAssertEqual(weak.response.status, .invalidArgument)

        let done = try await harness.response(.confirmForgotPassword(ConfirmForgotPasswordRequest(
            username: user, code: "654321", newPassword: newPassword)))
        XCTAssertEqual(done.status, .ok, done.message)
        let signedIn = try await signIn(user, newPassword)
        XCTAssertEqual(signedIn.status, .ok, signedIn.message)
    }

    /// SPEC §5: UserNotFoundException off the sign-in paths is the caller's mistake,
    /// NOT_FOUND, and never logged as an error (nobody is paged for a typo).
    func testConfirmingAnUnknownUserIsNotFound() async throws {
        let response = try await harness.response(.confirmRegistration(ConfirmRegistrationRequest(username: unique("nobody"), code: "123456")))
        XCTAssertEqual(response.status, .notFound)
        XCTAssertEqual(response.errorType, "UserNotFoundException")
        let loud = harness.logs.all.filter { $0.hasPrefix("error") || $0.hasPrefix("warning") }
        XCTAssertEqual(loud, [], "a caller's typo is logged at debug only")
    }

    /// moto 5.2.1 lacks ResendConfirmationCode: it answers HTTP 500, which SPEC §5 maps to UNAVAILABLE.
    func testResendConfirmationCodeIsUnavailableOnMoto() async throws {
        let response = try await harness.response(.resendConfirmationCode(ResendConfirmationCodeRequest(username: "demo")))
        XCTAssertEqual(response.status, .unavailable)
    }

    func testNewPasswordRequiredChallenge() async throws {
        let user = unique("carol"), temporary = "Temp0Password", final = "F1nalPassword"
        secrets += [temporary, final]
        try moto.admin("create-user", user, temporary, "--email", "\(user)@example.com")

        let first = try await signIn(user, temporary)
        XCTAssertEqual(first.status, .ok, first.message)
        let challenge = try XCTUnwrap(first.challenge)
        XCTAssertEqual(challenge.name, "NEW_PASSWORD_REQUIRED")
        XCTAssertFalse(challenge.session.isEmpty)
        XCTAssertNil(first.tokens)

        let weak = try await harness.call(.respondToChallenge(RespondToChallengeRequest(
            username: user, challengeName: challenge.name, session: challenge.session, responses: ["NEW_PASSWORD": "short"])))
        XCTAssertTrue(weak.immediate)
        XCTAssertEqual(weak.response.status, .invalidArgument)

        let answered = try await harness.response(.respondToChallenge(RespondToChallengeRequest(
            username: user, challengeName: challenge.name, session: challenge.session, responses: ["NEW_PASSWORD": final])))
        keep(answered.tokens)
        XCTAssertEqual(answered.status, .ok, answered.message)
        XCTAssertFalse(answered.tokens?.accessToken.isEmpty ?? true)

        let again = try await signIn(user, final)
        XCTAssertNotNil(again.tokens)
    }

    /// moto checks SECRET_HASH only for REFRESH_TOKEN_AUTH (docs/DEV_COGNITO.md), so that is where a
    /// wrong hash shows; the other operations send it too (see CognitoFaultTests) but moto ignores it.
    func testClientWithSecret() async throws {
        let created = try moto.admin("create-client", unique("secret-client"), "--secret")
        let clientID = try XCTUnwrap(created["CLIENT_ID"]), secret = try XCTUnwrap(created["CLIENT_SECRET"])
        XCTAssertFalse(secret.isEmpty)
        secrets += [secret, SecretHash.compute(secret: secret, username: "demo", clientID: clientID),
                    SecretHash.compute(secret: "wrong-secret", username: "demo", clientID: clientID)]
        let withSecret = CognitoHarness(endpoint: moto.endpoint, clientID: clientID, secret: secret, region: moto.region)
        let wrongSecret = CognitoHarness(endpoint: moto.endpoint, clientID: clientID, secret: "wrong-secret", region: moto.region)
        defer { withSecret.shutdown(); wrongSecret.shutdown() }

        let signedIn = try await signIn("demo", "DemoPassw0rd", harness: withSecret)
        let refreshToken = try XCTUnwrap(signedIn.tokens?.refreshToken)

        let missingUser = try await withSecret.call(.refreshTokens(RefreshTokensRequest(refreshToken: refreshToken)))
        XCTAssertTrue(missingUser.immediate)
        XCTAssertEqual(missingUser.response.status, .invalidArgument)

        let refreshed = try await withSecret.response(.refreshTokens(RefreshTokensRequest(refreshToken: refreshToken, username: "demo")))
        keep(refreshed.tokens)
        XCTAssertEqual(refreshed.status, .ok, refreshed.message)

        let wrong = try await wrongSecret.response(.refreshTokens(RefreshTokensRequest(refreshToken: refreshToken, username: "demo")))
        XCTAssertEqual(wrong.status, .unauthenticated)
        for line in withSecret.logs.all + wrongSecret.logs.all {
            for s in secrets where !s.isEmpty { XCTAssertFalse(line.contains(s), "secret in log: \(line)") }
        }
    }
}
