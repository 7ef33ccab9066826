@testable import CognitoIdentity
@testable import AuthRPC
import Foundation
import NIOConcurrencyHelpers
import Wire
import XCTest

/// SPEC §5 error mapping, retries, timeouts and limits against a loopback fake
/// that answers like Cognito's JSON API.
final class CognitoFaultTests: XCTestCase {
    var server: FakeCognitoServer?
    var harness: CognitoHarness!

    /// Log scan: none of the secrets these tests send appear in any log line, whatever failed.
    override func tearDown() {
        let secrets = ["Passw0rd!x", "123456", "N3wPassword", "clientsecret",
                       SecretHash.compute(secret: "clientsecret", username: "alice", clientID: "testclient")]
        for line in harness?.logs.all ?? [] {
            for secret in secrets where line.contains(secret) { XCTFail("secret in a log line: \(line)") }
        }
        harness?.shutdown()
        server?.stop()
        harness = nil
        server = nil
    }

    private func start(configure: (inout ServiceConfig) -> Void = { _ in }, secret: String? = nil,
                       _ responder: @escaping @Sendable (FakeRequest) -> FakeAnswer) throws {
        let server = try FakeCognitoServer(responder)
        self.server = server
        harness = CognitoHarness(endpoint: server.endpoint, secret: secret, configure: configure)
    }

    static let authenticate = Request.Body.authenticate(AuthenticateRequest(username: "alice", password: "Passw0rd!x"))
    static let register = Request.Body.register(RegisterRequest(username: "alice", password: "Passw0rd!x", email: "alice@example.com"))
    static let forgot = Request.Body.forgotPassword(ForgotPasswordRequest(username: "alice"))
    static let confirm = Request.Body.confirmRegistration(ConfirmRegistrationRequest(username: "alice", code: "123456"))

    // MARK: the mapping table

    func testEveryRowOfTheMappingTable() async throws {
        let rows: [(name: String, body: Request.Body, status: Status, errorType: String)] = [
            ("UsernameExistsException", Self.register, .alreadyExists, "UsernameExistsException"),
            ("InvalidPasswordException", Self.register, .invalidArgument, "InvalidPasswordException"),
            ("InvalidParameterException", Self.register, .invalidArgument, "InvalidParameterException"),
            ("CodeMismatchException", Self.confirm, .invalidArgument, "CodeMismatchException"),
            ("ExpiredCodeException", Self.confirm, .invalidArgument, "ExpiredCodeException"),
            ("NotAuthorizedException", Self.authenticate, .unauthenticated, "NotAuthorizedException"),
            ("UserNotFoundException", Self.authenticate, .unauthenticated, "NotAuthorizedException"),
            ("UserNotConfirmedException", Self.authenticate, .failedPrecondition, "UserNotConfirmedException"),
            ("PasswordResetRequiredException", Self.authenticate, .failedPrecondition, "PasswordResetRequiredException"),
            ("TooManyRequestsException", Self.forgot, .resourceExhausted, "TooManyRequestsException"),
            ("LimitExceededException", Self.forgot, .resourceExhausted, "LimitExceededException"),
            ("TooManyFailedAttemptsException", Self.authenticate, .resourceExhausted, "TooManyFailedAttemptsException"),
            ("UserNotFoundException", Self.forgot, .notFound, "UserNotFoundException"),
            ("ResourceNotFoundException", Self.forgot, .internal, "ResourceNotFoundException"),
            ("InternalErrorException", Self.forgot, .unavailable, "InternalErrorException"),
        ]
        let current = NIOLockedValueBox("")
        try start { _ in
            let name = current.withLockedValue { $0 }
            return .cognitoError(name, "detail from Cognito", status: name == "InternalErrorException" ? 500 : 400)
        }
        for row in rows {
            current.withLockedValue { $0 = row.name }
            let (response, immediate) = try await harness.call(row.body)
            XCTAssertFalse(immediate)
            XCTAssertEqual(response.status, row.status, row.name)
            XCTAssertEqual(response.errorType, row.errorType, row.name)
            XCTAssertNil(response.body, row.name)
            if row.status == .resourceExhausted || row.status == .unavailable {
                XCTAssertGreaterThan(response.retryAfterMs, 0, row.name)
            }
            if row.status == .internal { XCTAssertFalse(response.message.contains("detail from Cognito"), row.name) }
        }
    }

    /// No user enumeration: unknown user and wrong password read the same.
    func testUnknownUserAndWrongPasswordAreIndistinguishable() async throws {
        let current = NIOLockedValueBox("")
        try start { _ in .cognitoError(current.withLockedValue { $0 }, "some Cognito wording") }
        current.withLockedValue { $0 = "NotAuthorizedException" }
        let wrongPassword = try await harness.response(Self.authenticate)
        current.withLockedValue { $0 = "UserNotFoundException" }
        let unknownUser = try await harness.response(Self.authenticate)
        XCTAssertEqual(wrongPassword, unknownUser)
        XCTAssertEqual(wrongPassword.status, .unauthenticated)
    }

    func testErrorNameFromBodyTypeWithNamespace() async throws {
        try start { _ in
            .json(400, #"{"__type":"com.amazonaws.cognito.identityprovider.model#CodeMismatchException","message":"Invalid code"}"#)
        }
        let response = try await harness.response(Self.confirm)
        XCTAssertEqual(response.status, .invalidArgument)
        XCTAssertEqual(response.errorType, "CodeMismatchException")
        XCTAssertEqual(response.message, "Invalid code")
    }

    func testCognitoMessageEchoingASecretIsNotPassedOn() async throws {
        try start { _ in .cognitoError("InvalidParameterException", "bad code 123456 given") }
        let response = try await harness.response(Self.confirm)
        XCTAssertEqual(response.status, .invalidArgument)
        XCTAssertFalse(response.message.contains("123456"))
        XCTAssertFalse(harness.logs.all.joined().contains("123456"))
    }

    // MARK: the request Cognito receives

    func testRequestShapeAndSecretHashPlacement() async throws {
        try start(secret: "clientsecret") { request in
            switch request.operation {
            case "SignUp": .json(200, #"{"UserSub":"sub-1","UserConfirmed":false,"CodeDeliveryDetails":{"Destination":"a***@e***","DeliveryMedium":"EMAIL","AttributeName":"email"}}"#)
            case "InitiateAuth": .json(200, #"{"ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"sess","ChallengeParameters":{"USER_ID_FOR_SRP":"alice"}}"#)
            default: .json(200, "{}")
            }
        }
        let register = try await harness.response(Self.register)
        XCTAssertEqual(register.body, .register(RegisterResponse(
            userSub: "sub-1", userConfirmed: false,
            codeDelivery: CodeDelivery(destination: "a***@e***", deliveryMedium: "EMAIL", attributeName: "email"))))
        let auth = try await harness.response(Self.authenticate)
        XCTAssertEqual(auth.challenge, Challenge(name: "NEW_PASSWORD_REQUIRED", session: "sess", parameters: ["USER_ID_FOR_SRP": "alice"]))
        _ = try await harness.response(.respondToChallenge(RespondToChallengeRequest(
            username: "alice", challengeName: "NEW_PASSWORD_REQUIRED", session: "sess", responses: ["NEW_PASSWORD": "N3wPassword"])))
        _ = try await harness.response(.refreshTokens(RefreshTokensRequest(refreshToken: "rt", username: "alice")))
        _ = try await harness.response(Self.forgot)

        let expectedHash = SecretHash.compute(secret: "clientsecret", username: "alice", clientID: "testclient")
        let requests = try XCTUnwrap(server?.requests)
        XCTAssertEqual(requests.map(\.operation), ["SignUp", "InitiateAuth", "RespondToAuthChallenge", "InitiateAuth", "ForgotPassword"])
        for request in requests {
            XCTAssertEqual(request.method, "POST")
            XCTAssertEqual(request.uri, "/")
            XCTAssertEqual(request.headers["content-type"], "application/x-amz-json-1.1")
            XCTAssertEqual(request.json["ClientId"] as? String, "testclient")
        }
        let signUp = requests[0].json
        XCTAssertEqual(signUp["SecretHash"] as? String, expectedHash)
        XCTAssertEqual(signUp["Username"] as? String, "alice")
        XCTAssertEqual(signUp["Password"] as? String, "Passw0rd!x")
        XCTAssertEqual(signUp["UserAttributes"] as? [[String: String]], [["Name": "email", "Value": "alice@example.com"]])
        let initiate = requests[1].json
        XCTAssertEqual(initiate["AuthFlow"] as? String, "USER_PASSWORD_AUTH")
        XCTAssertEqual(initiate["AuthParameters"] as? [String: String],
                       ["USERNAME": "alice", "PASSWORD": "Passw0rd!x", "SECRET_HASH": expectedHash])
        XCTAssertNil(initiate["SecretHash"])
        let respond = requests[2].json
        XCTAssertEqual(respond["ChallengeResponses"] as? [String: String],
                       ["USERNAME": "alice", "NEW_PASSWORD": "N3wPassword", "SECRET_HASH": expectedHash])
        XCTAssertEqual(respond["Session"] as? String, "sess")
        let refresh = requests[3].json
        XCTAssertEqual(refresh["AuthFlow"] as? String, "REFRESH_TOKEN_AUTH")
        XCTAssertEqual(refresh["AuthParameters"] as? [String: String], ["REFRESH_TOKEN": "rt", "SECRET_HASH": expectedHash])
        XCTAssertEqual(requests[4].json["SecretHash"] as? String, expectedHash)
    }

    func testNoSecretHashWithoutSecret() async throws {
        try start { _ in .json(200, "{}") }
        _ = try await harness.response(Self.forgot)
        _ = try await harness.response(Self.authenticate)
        let requests = try XCTUnwrap(server?.requests)
        XCTAssertNil(requests[0].json["SecretHash"])
        XCTAssertEqual(requests[1].json["AuthParameters"] as? [String: String], ["USERNAME": "alice", "PASSWORD": "Passw0rd!x"])
    }

    // MARK: retries, timeouts, broken answers

    func testThrottlingIsRetriedThenSucceeds() async throws {
        let count = NIOLockedValueBox(0)
        try start { _ in
            let n = count.withLockedValue { $0 += 1; return $0 }
            return n < 3 ? .cognitoError("TooManyRequestsException", "Rate exceeded") : .json(200, "{}")
        }
        let response = try await harness.response(Self.forgot)
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(server?.requests.count, 3)
    }

    func testThrottlingExhaustedCarriesRetryAfter() async throws {
        try start { _ in .cognitoError("LimitExceededException", "Attempt limit exceeded", headers: [("Retry-After", "3")]) }
        let response = try await harness.response(Self.forgot)
        XCTAssertEqual(response.status, .resourceExhausted)
        XCTAssertEqual(response.retryAfterMs, 3000)
        XCTAssertEqual(server?.requests.count, 3)
    }

    func testTooManyFailedAttemptsIsNotRetried() async throws {
        try start { _ in .cognitoError("TooManyFailedAttemptsException") }
        _ = try await harness.response(Self.authenticate)
        XCTAssertEqual(server?.requests.count, 1)
    }

    func testServerErrorIsUnavailableAndNotRetried() async throws {
        try start { _ in .respond(status: 500, body: Array("oops".utf8)) }
        let response = try await harness.response(Self.register)
        XCTAssertEqual(response.status, .unavailable)
        XCTAssertEqual(response.errorType, "CognitoUnavailable")
        XCTAssertEqual(server?.requests.count, 1)
    }

    /// A request deadline shorter than the Cognito timeout answers DEADLINE_EXCEEDED at the deadline.
    func testHungCognitoHonoursTheDeadline() async throws {
        try start { _ in .hang }
        let started = ContinuousClock.now
        let response = try await harness.response(Self.authenticate, deadlineMs: 300)
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(response.status, .deadlineExceeded)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(250))
        XCTAssertLessThan(elapsed, .milliseconds(1500))
    }

    /// Without a (shorter) deadline, the Cognito timeout answers UNAVAILABLE.
    func testHungCognitoHitsTheCognitoTimeout() async throws {
        try start(configure: { $0.cognitoTimeout = .milliseconds(300) }) { _ in .hang }
        let response = try await harness.response(Self.authenticate, deadlineMs: 5000)
        XCTAssertEqual(response.status, .unavailable)
        XCTAssertEqual(response.errorType, "CognitoTimeout")
    }

    func testConnectionRefusedIsRetriedThenUnavailable() async throws {
        let port = try closedLoopbackPort()
        harness = CognitoHarness(endpoint: "http://127.0.0.1:\(port)/")
        let response = try await harness.response(Self.register)
        XCTAssertEqual(response.status, .unavailable)
        XCTAssertEqual(response.errorType, "CognitoUnavailable")
        XCTAssertGreaterThan(response.retryAfterMs, 0)
        XCTAssertEqual(harness.logs.all.filter { $0.contains("cognito call retried") }.count, 2)
    }

    func testOversizeBodyIsInternal() async throws {
        try start { _ in .json(200, "{\"UserSub\":\"" + String(repeating: "x", count: 1 << 20) + "\"}") }
        let response = try await harness.response(Self.register)
        XCTAssertEqual(response.status, .internal)
        XCTAssertEqual(response.errorType, "InternalError")
    }

    func testInvalidJSONIsInternal() async throws {
        try start { _ in .json(200, "{not json") }
        let response = try await harness.response(Self.register)
        XCTAssertEqual(response.status, .internal)
        XCTAssertTrue(harness.logs.all.contains { $0.contains("not a JSON object") })
    }

    func testMissingFieldsAreInternal() async throws {
        try start { _ in .json(200, #"{"UserConfirmed":true}"#) }
        let register = try await harness.response(Self.register)
        XCTAssertEqual(register.status, .internal)
        let authenticate = try await harness.response(Self.authenticate)
        XCTAssertEqual(authenticate.status, .internal)
    }

    // MARK: limits and validation

    func testCallBeyondTheLimitIsRefusedAtOnce() async throws {
        try start { _ in .hang }
        XCTAssertEqual(harness.client.limiter.limit, 256)
        let harness = self.harness!
        let forgot = Self.forgot
        let held = Task { () -> [Status] in
            await withTaskGroup(of: Status.self) { group in
                for i in 0..<256 {
                    group.addTask { (try? await harness.call(forgot, id: UInt64(i)).response.status) ?? .ok }
                }
                var statuses: [Status] = []
                for await status in group { statuses.append(status) }
                return statuses
            }
        }
        while harness.client.inFlight < 256 { try await Task.sleep(for: .milliseconds(10)) }
        let (response, immediate) = try await harness.call(Self.forgot, id: 257)
        XCTAssertTrue(immediate)
        XCTAssertEqual(response.status, .resourceExhausted)
        XCTAssertEqual(response.errorType, "TooManyCognitoCalls")
        XCTAssertGreaterThan(response.retryAfterMs, 0)
        server?.stop()  // the held calls now fail (UNAVAILABLE) and free their slots
        let statuses = await held.value
        XCTAssertEqual(statuses.count, 256)
        XCTAssertEqual(harness.client.inFlight, 0)
        XCTAssertLessThanOrEqual(server?.requests.count ?? 0, 256)
    }

    func testValidationNamesEveryRuleAndCallsNobody() async throws {
        try start { _ in .json(200, "{}") }
        let (response, immediate) = try await harness.call(.register(RegisterRequest(
            username: "has space", password: "short", email: "not-an-email")))
        XCTAssertTrue(immediate)
        XCTAssertEqual(response.status, .invalidArgument)
        XCTAssertEqual(response.errorType, "ValidationFailed")
        for rule in ["username must contain only printable", "password must be at least 8", "password must contain an upper-case",
                     "password must contain a digit", "email must be a well-formed"] {
            XCTAssertTrue(response.message.contains(rule), "\(rule) missing from: \(response.message)")
        }
        XCTAssertFalse(response.message.contains("short"))
        let missing = try await harness.response(.signOut(SignOutRequest()))
        XCTAssertEqual(missing.message, "invalid sign_out request: access_token is required")
        let confirm = try await harness.response(.confirmRegistration(ConfirmRegistrationRequest(username: "", code: "")))
        XCTAssertTrue(confirm.message.contains("username is required") && confirm.message.contains("code is required"))
        XCTAssertEqual(server?.requests.count, 0)
    }
}
