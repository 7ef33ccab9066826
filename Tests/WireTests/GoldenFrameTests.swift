import Foundation
import NIOCore
import Wire
import XCTest

/// The Swift codec against the golden frames every client checks (Tests/golden,
/// format in its README): each committed frame decodes to the manifest's values,
/// and encoding those values gives the same bytes.
final class GoldenFrameTests: XCTestCase {
    private static let goldenDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("golden")

    private func frames() throws -> [[String: Any]] {
        let data = try Data(contentsOf: Self.goldenDir.appendingPathComponent("manifest.json"))
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(manifest["frames"] as? [[String: Any]])
    }

    func testEveryGoldenFrameDecodesAndReencodesByteForByte() throws {
        let all = try frames()
        XCTAssertGreaterThanOrEqual(all.count, 20)
        for entry in all {
            let name = entry["name"] as? String ?? "?"
            let file = try XCTUnwrap(entry["file"] as? String)
            let bytes = [UInt8](try Data(contentsOf: Self.goldenDir.appendingPathComponent(file)))
            let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
            XCTAssertEqual(length, bytes.count - 4, name)
            let payload = Array(bytes[4...])
            let message = try XCTUnwrap(entry["message"] as? [String: Any], name)
            var out = ByteBuffer()
            switch entry["type"] as? String {
            case "authrpc.v1.Request":
                let expected = try GoldenValues.request(message)
                let decoded = try payload.withUnsafeBytes { try Request.decode($0) }
                XCTAssertEqual(decoded, expected, name)
                try expected.writeFrame(into: &out)
            case "authrpc.v1.Response":
                let expected = try GoldenValues.response(message)
                let decoded = try payload.withUnsafeBytes { try Response.decode($0) }
                XCTAssertEqual(decoded, expected, name)
                try expected.writeFrame(into: &out)
            default:
                XCTFail("\(name): unknown type \(entry["type"] ?? "nil")")
            }
            XCTAssertEqual(Array(out.readableBytesView), bytes, "\(name): re-encoding differs")
        }
    }
}

/// Builds Wire values from the manifest's JSON (proto field names; 64-bit integers
/// as decimal strings; enums by name; defaults omitted).
enum GoldenValues {
    struct Bad: Error { var what: String }
    typealias Object = [String: Any]

    static func request(_ o: Object) throws -> Request {
        var r = Request(id: try u64(o, "id"), deadlineMs: u32(o, "deadline_ms"))
        if let b = o["health"] as? Object { _ = b; r.body = .health(HealthRequest()) }
        if let b = o["register"] as? Object {
            r.body = .register(RegisterRequest(username: s(b, "username"), password: s(b, "password"),
                                               email: s(b, "email"), attributes: map(b, "attributes")))
        }
        if let b = o["confirm_registration"] as? Object {
            r.body = .confirmRegistration(ConfirmRegistrationRequest(username: s(b, "username"), code: s(b, "code")))
        }
        if let b = o["resend_confirmation_code"] as? Object {
            r.body = .resendConfirmationCode(ResendConfirmationCodeRequest(username: s(b, "username")))
        }
        if let b = o["authenticate"] as? Object {
            r.body = .authenticate(AuthenticateRequest(username: s(b, "username"), password: s(b, "password")))
        }
        if let b = o["respond_to_challenge"] as? Object {
            r.body = .respondToChallenge(RespondToChallengeRequest(
                username: s(b, "username"), challengeName: s(b, "challenge_name"), session: s(b, "session"),
                responses: map(b, "responses")))
        }
        if let b = o["refresh_tokens"] as? Object {
            r.body = .refreshTokens(RefreshTokensRequest(refreshToken: s(b, "refresh_token"), username: s(b, "username")))
        }
        if let b = o["sign_out"] as? Object { r.body = .signOut(SignOutRequest(accessToken: s(b, "access_token"))) }
        if let b = o["forgot_password"] as? Object { r.body = .forgotPassword(ForgotPasswordRequest(username: s(b, "username"))) }
        if let b = o["confirm_forgot_password"] as? Object {
            r.body = .confirmForgotPassword(ConfirmForgotPasswordRequest(
                username: s(b, "username"), code: s(b, "code"), newPassword: s(b, "new_password")))
        }
        if let b = o["verify_token"] as? Object {
            r.body = .verifyToken(VerifyTokenRequest(token: s(b, "token"), tokenUse: try tokenUse(b),
                                                     requiredScopes: strings(b, "required_scopes")))
        }
        if let b = o["check_groups"] as? Object {
            r.body = .checkGroups(CheckGroupsRequest(
                token: s(b, "token"), tokenUse: try tokenUse(b), allowedGroups: strings(b, "allowed_groups"),
                requiredGroups: strings(b, "required_groups"), prohibitedGroups: strings(b, "prohibited_groups")))
        }
        return r
    }

    static func response(_ o: Object) throws -> Response {
        var r = Response(id: try u64(o, "id"), status: try status(o), message: s(o, "message"),
                         errorType: s(o, "error_type"), retryAfterMs: u32(o, "retry_after_ms"))
        if let b = o["health"] as? Object {
            let pools = try (b["pools"] as? [Object] ?? []).map { p in
                PoolStatus(issuer: s(p, "issuer"), keys: u32(p, "keys"), lastRefreshUnix: try i64(p, "last_refresh_unix"),
                           lastError: s(p, "last_error"))
            }
            r.body = .health(HealthResponse(version: s(b, "version"), uptimeSeconds: try u64(b, "uptime_seconds"), pools: pools))
        }
        if let b = o["register"] as? Object {
            r.body = .register(RegisterResponse(userSub: s(b, "user_sub"), userConfirmed: b["user_confirmed"] as? Bool ?? false,
                                                codeDelivery: (b["code_delivery"] as? Object).map(codeDelivery)))
        }
        if o["confirm_registration"] is Object { r.body = .confirmRegistration(ConfirmRegistrationResponse()) }
        if let b = o["resend_confirmation_code"] as? Object {
            r.body = .resendConfirmationCode(ResendConfirmationCodeResponse(codeDelivery: (b["code_delivery"] as? Object).map(codeDelivery)))
        }
        if let b = o["authenticate"] as? Object { r.body = .authenticate(authenticate(b)) }
        if let b = o["respond_to_challenge"] as? Object { r.body = .respondToChallenge(authenticate(b)) }
        if let b = o["refresh_tokens"] as? Object { r.body = .refreshTokens(authenticate(b)) }
        if o["sign_out"] is Object { r.body = .signOut(SignOutResponse()) }
        if let b = o["forgot_password"] as? Object {
            r.body = .forgotPassword(ForgotPasswordResponse(codeDelivery: (b["code_delivery"] as? Object).map(codeDelivery)))
        }
        if o["confirm_forgot_password"] is Object { r.body = .confirmForgotPassword(ConfirmForgotPasswordResponse()) }
        if let b = o["verify_token"] as? Object {
            r.body = .verifyToken(VerifyTokenResponse(claims: try (b["claims"] as? Object).map(claims)))
        }
        if let b = o["check_groups"] as? Object {
            r.body = .checkGroups(CheckGroupsResponse(claims: try (b["claims"] as? Object).map(claims),
                                                      matchedGroups: strings(b, "matched_groups")))
        }
        return r
    }

    static func claims(_ o: Object) throws -> Claims {
        var c = Claims()
        c.sub = s(o, "sub"); c.username = s(o, "username"); c.email = s(o, "email")
        c.emailVerified = o["email_verified"] as? Bool ?? false
        c.groups = strings(o, "groups"); c.tokenUse = try tokenUse(o); c.clientID = s(o, "client_id")
        c.scopes = strings(o, "scopes"); c.issuer = s(o, "issuer")
        c.issuedAt = try i64(o, "issued_at"); c.expiresAt = try i64(o, "expires_at"); c.authTime = try i64(o, "auth_time")
        c.jti = s(o, "jti"); c.originJTI = s(o, "origin_jti"); c.payloadJSON = s(o, "payload_json")
        return c
    }

    static func authenticate(_ o: Object) -> AuthenticateResponse {
        let tokens = (o["tokens"] as? Object).map { t in
            Tokens(idToken: s(t, "id_token"), accessToken: s(t, "access_token"), refreshToken: s(t, "refresh_token"),
                   expiresIn: u32(t, "expires_in"), tokenType: s(t, "token_type"))
        }
        let challenge = (o["challenge"] as? Object).map { c in
            Challenge(name: s(c, "name"), session: s(c, "session"), parameters: map(c, "parameters"))
        }
        return AuthenticateResponse(tokens: tokens, challenge: challenge)
    }

    static func codeDelivery(_ o: Object) -> CodeDelivery {
        CodeDelivery(destination: s(o, "destination"), deliveryMedium: s(o, "delivery_medium"), attributeName: s(o, "attribute_name"))
    }

    static func s(_ o: Object, _ k: String) -> String { o[k] as? String ?? "" }
    static func u32(_ o: Object, _ k: String) -> UInt32 { (o[k] as? NSNumber)?.uint32Value ?? 0 }
    static func strings(_ o: Object, _ k: String) -> [String] { o[k] as? [String] ?? [] }
    static func map(_ o: Object, _ k: String) -> [String: String] { o[k] as? [String: String] ?? [:] }

    static func u64(_ o: Object, _ k: String) throws -> UInt64 {
        guard let text = o[k] as? String else { return 0 }
        guard let value = UInt64(text) else { throw Bad(what: "\(k)=\(text)") }
        return value
    }

    static func i64(_ o: Object, _ k: String) throws -> Int64 {
        guard let text = o[k] as? String else { return 0 }
        guard let value = Int64(text) else { throw Bad(what: "\(k)=\(text)") }
        return value
    }

    static func status(_ o: Object) throws -> Status {
        guard let name = o["status"] as? String else { return .ok }
        guard let value = Status.allCases.first(where: { $0.description == name }) else { throw Bad(what: name) }
        return value
    }

    static func tokenUse(_ o: Object) throws -> TokenUse {
        switch o["token_use"] as? String {
        case nil, "TOKEN_USE_ANY": .any
        case "TOKEN_USE_ID": .id
        case "TOKEN_USE_ACCESS": .access
        case let other?: throw Bad(what: other)
        }
    }
}
