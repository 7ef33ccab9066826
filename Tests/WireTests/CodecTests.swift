import NIOCore
import Wire
import XCTest

/// SPEC §4 messages through the protobuf-c codec: every body both ways, the
/// forward-compatibility rules, and hostile bytes.
final class CodecTests: XCTestCase {
    // MARK: Fixtures: every field non-empty
    // Computed, not stored: held in static storage, these enum payloads were reported by
    // LeakSanitizer as leaks (their pointers carry enum tag bits it does not see through).

    private static var claims: Claims {
        var c = Claims()
        c.sub = "3f1c-ü-sub"; c.username = "zoë"; c.email = "zoë@example.com"; c.emailVerified = true
        c.groups = ["admins", "группа", "👩‍💻"]; c.tokenUse = .access; c.clientID = "client-1"
        c.scopes = ["openid", "aws.cognito.signin.user.admin"]; c.issuer = "https://cognito-idp.eu-west-1.amazonaws.com/pool"
        c.issuedAt = Int64.min; c.expiresAt = Int64.max; c.authTime = 1_700_000_000
        c.jti = "jti-1"; c.originJTI = "origin-1"; c.payloadJSON = #"{"custom:tier":"gold","emoji":"🚀"}"#
        return c
    }

    private static var delivery: CodeDelivery {
        CodeDelivery(destination: "z***@e***", deliveryMedium: "EMAIL", attributeName: "email")
    }
    private static var tokens: Tokens {
        Tokens(idToken: "id.jwt.sig", accessToken: "access.jwt.sig", refreshToken: "refresh-🔑",
               expiresIn: UInt32.max, tokenType: "Bearer")
    }
    private static var challenge: Challenge {
        Challenge(name: "SMS_MFA", session: "session-blob",
                  parameters: ["CODE_DELIVERY_DESTINATION": "+33******12", "ключ": "значение", "": "empty key"])
    }

    private static var requestBodies: [Request.Body] { [
        .health(HealthRequest()),
        .register(RegisterRequest(username: "zoë", password: "pä55 wörd", email: "zoë@example.com",
                                  attributes: ["name": "Zoë", "custom:team": "🛠", "locale": "fr-FR"])),
        .confirmRegistration(ConfirmRegistrationRequest(username: "zoë", code: "123456")),
        .resendConfirmationCode(ResendConfirmationCodeRequest(username: "zoë")),
        .authenticate(AuthenticateRequest(username: "zoë", password: "pä55")),
        .respondToChallenge(RespondToChallengeRequest(username: "zoë", challengeName: "SMS_MFA", session: "s",
                                                      responses: ["SMS_MFA_CODE": "654321", "USERNAME": "zoë"])),
        .refreshTokens(RefreshTokensRequest(refreshToken: "refresh-🔑", username: "zoë")),
        .signOut(SignOutRequest(accessToken: "access.jwt.sig")),
        .forgotPassword(ForgotPasswordRequest(username: "zoë")),
        .confirmForgotPassword(ConfirmForgotPasswordRequest(username: "zoë", code: "111", newPassword: "nëw")),
        .verifyToken(VerifyTokenRequest(token: "a.b.c", tokenUse: .id, requiredScopes: ["openid", "profile"])),
        .checkGroups(CheckGroupsRequest(token: "a.b.c", tokenUse: .access, allowedGroups: ["a", "b"],
                                        requiredGroups: ["c"], prohibitedGroups: ["banned", "🚫"])),
    ] }

    private static var responseBodies: [Response.Body] { [
        .health(HealthResponse(version: "1.2.3", uptimeSeconds: UInt64.max, pools: [
            PoolStatus(issuer: "https://issuer/a", keys: 2, lastRefreshUnix: 1_700_000_000, lastError: ""),
            PoolStatus(issuer: "https://issuer/b", keys: UInt32.max, lastRefreshUnix: -1, lastError: "timeout ⏱"),
        ])),
        .register(RegisterResponse(userSub: "sub-1", userConfirmed: true, codeDelivery: delivery)),
        .confirmRegistration(ConfirmRegistrationResponse()),
        .resendConfirmationCode(ResendConfirmationCodeResponse(codeDelivery: delivery)),
        .authenticate(AuthenticateResponse(tokens: tokens)),
        .respondToChallenge(AuthenticateResponse(challenge: challenge)),
        .refreshTokens(AuthenticateResponse(tokens: tokens, challenge: challenge)),
        .signOut(SignOutResponse()),
        .forgotPassword(ForgotPasswordResponse(codeDelivery: delivery)),
        .confirmForgotPassword(ConfirmForgotPasswordResponse()),
        .verifyToken(VerifyTokenResponse(claims: claims)),
        .checkGroups(CheckGroupsResponse(claims: claims, matchedGroups: ["admins", "группа"])),
    ] }

    private func decodeRequest(_ bytes: [UInt8]) throws -> Request {
        try bytes.withUnsafeBytes { try Request.decode($0) }
    }

    private func decodeResponse(_ bytes: [UInt8]) throws -> Response {
        try bytes.withUnsafeBytes { try Response.decode($0) }
    }

    // MARK: Round trips

    func testEveryRequestBodyRoundTrips() throws {
        for (index, body) in Self.requestBodies.enumerated() {
            let request = Request(id: UInt64.max - UInt64(index), deadlineMs: UInt32.max, body: body)
            XCTAssertEqual(try decodeRequest(request.encodedBytes()), request, body.methodName)
            XCTAssertEqual(try Request.decode(ByteBuffer(bytes: request.encodedBytes())), request, body.methodName)
        }
    }

    func testEveryResponseBodyRoundTripsWithEveryStatus() throws {
        for (index, body) in Self.responseBodies.enumerated() {
            for status in Status.allCases {
                let response = Response(id: UInt64.max - UInt64(index), status: status, message: "message ✓ \(status)",
                                        errorType: "NotAuthorizedException", retryAfterMs: 1500, body: body)
                XCTAssertEqual(try decodeResponse(response.encodedBytes()), response, "\(body) \(status)")
            }
        }
    }

    func testEmptyMessagesRoundTrip() throws {
        XCTAssertEqual(try Request().encodedBytes(), [])
        XCTAssertEqual(try decodeRequest([]), Request())
        XCTAssertNil(try decodeRequest(Request(id: 9).encodedBytes()).body)
        XCTAssertEqual(try decodeResponse([]), Response(id: 0))
        XCTAssertEqual(try decodeResponse(Response(id: 1, body: .authenticate(AuthenticateResponse())).encodedBytes()),
                       Response(id: 1, body: .authenticate(AuthenticateResponse())))
        XCTAssertEqual(try decodeResponse(Response(id: 1, body: .verifyToken(VerifyTokenResponse())).encodedBytes()),
                       Response(id: 1, body: .verifyToken(VerifyTokenResponse())))
    }

    func testMapEncodingDoesNotDependOnInsertionOrder() throws {
        var a: [String: String] = [:]
        var b: [String: String] = [:]
        for i in 0..<50 { a["k\(i)"] = "v\(i)" }
        for i in (0..<50).reversed() { b["k\(i)"] = "v\(i)" }
        let request = { (attributes: [String: String]) in
            try Request(id: 1, body: .register(RegisterRequest(username: "u", attributes: attributes))).encodedBytes()
        }
        XCTAssertEqual(try request(a), try request(b))
    }

    /// protobuf-c strings are C strings, which end at the first U+0000: such a string is
    /// refused on encode rather than cut short.
    func testEncodeRefusesStringWithNUL() {
        let request = Request(id: 1, body: .signOut(SignOutRequest(accessToken: "abc\u{0}def")))
        XCTAssertThrowsError(try request.encodedBytes()) { XCTAssertEqual($0 as? WireError, .stringContainsNUL(field: nil)) }
        var buffer = ByteBuffer()
        XCTAssertThrowsError(try request.writeFrame(into: &buffer))
        XCTAssertEqual(buffer.readableBytes, 0, "nothing is written when the encode is refused")
        var claims = Claims()
        claims.sub = "admin\u{0}-attacker"
        XCTAssertThrowsError(try Response(id: 1, body: .verifyToken(VerifyTokenResponse(claims: claims))).encodedBytes())
        XCTAssertThrowsError(try EncodedVerifyTokenResponse(VerifyTokenResponse(claims: claims)))
    }

    /// ... and refused on decode, naming the field, where protobuf-c would cut it short.
    func testDecodeRefusesStringWithNUL() throws {
        // field 1 = 1; field 17 (sign_out) { field 1 (access_token) = "abc\0def" }
        let bytes: [UInt8] = [0x08, 0x01, 0x8A, 0x01, 0x09, 0x0A, 0x07] + Array("abc".utf8) + [0] + Array("def".utf8)
        XCTAssertThrowsError(try decodeRequest(bytes)) {
            XCTAssertEqual($0 as? WireError, .stringContainsNUL(field: "sign_out.access_token"))
        }
        // A NUL elsewhere (an id of 0 sent explicitly, an empty body) is fine.
        XCTAssertEqual(try decodeRequest([0x08, 0x00, 0x52, 0x00]), Request(id: 0, body: .health(HealthRequest())))
        // Nested: a group name in a CheckGroups request.
        let groups: [UInt8] = [0xAA, 0x01, 0x05, 0x1A, 0x03, 0x61, 0x00, 0x62]
        XCTAssertThrowsError(try decodeRequest(groups)) {
            XCTAssertEqual($0 as? WireError, .stringContainsNUL(field: "check_groups.allowed_groups"))
        }
    }

    /// Protobuf merges repeated occurrences of a message field (a concatenation parses as
    /// the merge), and Python's runtime does so; protobuf-c would keep only the last.
    func testRepeatedOneofBodyIsMerged() throws {
        let first = try Request(id: 5, body: .verifyToken(VerifyTokenRequest(token: "tok"))).encodedBytes()
        let second = try Request(body: .verifyToken(VerifyTokenRequest(tokenUse: .access, requiredScopes: ["s"]))).encodedBytes()
        XCTAssertEqual(try decodeRequest(first + second),
                       Request(id: 5, body: .verifyToken(VerifyTokenRequest(token: "tok", tokenUse: .access, requiredScopes: ["s"]))))
        // Three occurrences, the id in between.
        let third = try Request(body: .verifyToken(VerifyTokenRequest(requiredScopes: ["t"]))).encodedBytes()
        XCTAssertEqual(try decodeRequest(second + first + third),
                       Request(id: 5, body: .verifyToken(VerifyTokenRequest(token: "tok", tokenUse: .access, requiredScopes: ["s", "t"]))))
        // Another member in between replaces what came before it, as protobuf specifies.
        let health = try Request(body: .health(HealthRequest())).encodedBytes()
        XCTAssertEqual(try decodeRequest(first + health + second),
                       Request(id: 5, body: .verifyToken(VerifyTokenRequest(tokenUse: .access, requiredScopes: ["s"]))))
        XCTAssertEqual(try decodeRequest(first + second + health), Request(id: 5, body: .health(HealthRequest())))
        // Responses merge the same way.
        let a = try Response(id: 1, body: .health(HealthResponse(version: "v"))).encodedBytes()
        let b = try Response(id: 0, body: .health(HealthResponse(uptimeSeconds: 9))).encodedBytes()
        XCTAssertEqual(try decodeResponse(a + b), Response(id: 1, body: .health(HealthResponse(version: "v", uptimeSeconds: 9))))
    }

    // MARK: Forward compatibility (SPEC §3)

    func testUnknownBodyFieldDecodesAsUnrecognized() throws {
        // field 1 (id) varint 7; field 30, length-delimited, 2 bytes.
        let bytes: [UInt8] = [0x08, 0x07, 0xF2, 0x01, 0x02, 0xAB, 0xCD]
        XCTAssertEqual(try decodeRequest(bytes), Request(id: 7, body: .unrecognized(fieldNumber: 30)))
        // The unrecognized body is not re-sent.
        XCTAssertEqual(try Request(id: 7, body: .unrecognized(fieldNumber: 30)).encodedBytes(), [0x08, 0x07])
    }

    func testUnknownLowFieldIsNotABody() throws {
        // field 4 varint 1: a new envelope field (below the bodies' 10), not a body.
        XCTAssertEqual(try decodeRequest([0x08, 0x07, 0x20, 0x01]), Request(id: 7))
    }

    func testUnknownResponseBodyAndStatus() throws {
        // id 5, status 99, field 40 length-delimited (empty).
        let bytes: [UInt8] = [0x08, 0x05, 0x10, 0x63, 0xC2, 0x02, 0x00]
        let response = try decodeResponse(bytes)
        XCTAssertEqual(response.id, 5)
        XCTAssertEqual(response.status, .internal)
        XCTAssertNil(response.body)
    }

    func testUnknownTokenUseReadsAsAny() throws {
        // id 1; field 20 (verify_token) { token_use (2) = 7 }
        let bytes: [UInt8] = [0x08, 0x01, 0xA2, 0x01, 0x02, 0x10, 0x07]
        XCTAssertEqual(try decodeRequest(bytes).body, .verifyToken(VerifyTokenRequest(tokenUse: .any)))
    }

    // MARK: Hostile bytes

    func testGarbageIsMalformed() {
        for garbage: [UInt8] in [[0xff, 0xff, 0xff], [0x0a], [0x52, 0x05, 0x01], [0x08], [0x07, 0x00]] {
            XCTAssertThrowsError(try decodeRequest(garbage), "\(garbage)") { XCTAssertEqual($0 as? WireError, .malformed) }
            XCTAssertThrowsError(try decodeResponse(garbage), "\(garbage)") { XCTAssertEqual($0 as? WireError, .malformed) }
        }
    }

    func testTruncationAtEveryCutNeverCrashes() throws {
        let request = Request(id: UInt64.max, deadlineMs: 10, body: Self.requestBodies[5])
        let response = Response(id: UInt64.max, status: .unavailable, message: "m", body: Self.responseBodies[11])
        for full in [try request.encodedBytes(), try response.encodedBytes()] {
            for cut in 0..<full.count {
                let prefix = Array(full[..<cut])
                for decode in [{ _ = try self.decodeRequest(prefix) }, { _ = try self.decodeResponse(prefix) }] {
                    do { try decode() } catch { XCTAssertEqual(error as? WireError, .malformed) }
                }
            }
        }
    }

    // MARK: Framing

    func testWriteFrameWritesBigEndianLengthThenMessage() throws {
        let request = Request(id: 42, body: Self.requestBodies[1])
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeBytes([0xAA])  // frames append after what is already there
        try request.writeFrame(into: &buffer)
        XCTAssertEqual(buffer.readInteger(as: UInt8.self), 0xAA)
        let length = try XCTUnwrap(buffer.readInteger(endianness: .big, as: UInt32.self))
        XCTAssertEqual(Int(length), buffer.readableBytes)
        XCTAssertEqual(buffer.readableBytesView.elementsEqual(try request.encodedBytes()), true)
        let readerIndex = buffer.readerIndex
        XCTAssertEqual(try Request.decode(buffer), request)
        XCTAssertEqual(buffer.readerIndex, readerIndex)

        var responseBuffer = ByteBuffer()
        let response = Response(id: 42, body: Self.responseBodies[0])
        try response.writeFrame(into: &responseBuffer)
        XCTAssertEqual(responseBuffer.readInteger(endianness: .big, as: UInt32.self).map(Int.init), responseBuffer.readableBytes)
        XCTAssertEqual(try Response.decode(responseBuffer), response)
    }

    func testEmptyMessageFrameIsJustALength() throws {
        var buffer = ByteBuffer()
        try Request().writeFrame(into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView), [0, 0, 0, 0])
    }

    // MARK: Smoke

    /// Cheap leak/crash smoke: run under `--sanitize=address` to catch a bad free, and
    /// watch memory for a missed one.
    func testTenThousandEncodesAndDecodes() throws {
        let request = Request(id: 1, body: Self.requestBodies[1])
        let response = Response(id: 1, body: Self.responseBodies[11])
        var buffer = ByteBuffer()
        var ids: UInt64 = 0
        for _ in 0..<10_000 {
            ids &+= try decodeRequest(request.encodedBytes()).id
            buffer.clear()
            try response.writeFrame(into: &buffer)
            buffer.moveReaderIndex(forwardBy: 4)
            ids &+= try Response.decode(buffer).id
        }
        XCTAssertEqual(ids, 20_000)
    }
}

/// Repeated strings as protobuf-c packs them.
final class RepeatedStringCodecTests: XCTestCase {
    /// protobuf-c reads a repeated string's elements with `strlen`, without a NULL check:
    /// an empty element must reach it as an empty C string (it once crashed the pack).
    func testEmptyRepeatedElementsPackWithProtobufC() throws {
        let answer = Response(id: 1, body: .checkGroups(CheckGroupsResponse(claims: Claims(groups: [""]), matchedGroups: ["", "a"])))
        let bytes = try answer.encodedBytes()
        XCTAssertEqual(try bytes.withUnsafeBytes { try Response.decode($0) }, answer)
    }
}

/// A VerifyToken answer serialized once and appended as bytes decodes exactly like one
/// encoded whole, in frames and in `encodedBytes`.
final class EncodedVerifyTokenResponseTests: XCTestCase {
    func testPreEncodedAnswerDecodesLikeTheValue() throws {
        var claims = Claims()
        claims.sub = "5f1e0c1a"; claims.username = "alice"; claims.groups = ["admins", "staff"]
        claims.tokenUse = .access; claims.scopes = ["openid"]; claims.expiresAt = 1_760_003_600
        claims.payloadJSON = String(repeating: "x", count: 300)  // a length that needs a two-byte varint
        let value = VerifyTokenResponse(claims: claims)
        let encoded = try EncodedVerifyTokenResponse(value)
        XCTAssertEqual(encoded.response, value)

        for id in [UInt64(1), 300, UInt64.max] {
            let fast = Response(id: id, body: .verifyTokenEncoded(encoded))
            let plain = Response(id: id, body: .verifyToken(value))
            let decoded = try fast.encodedBytes().withUnsafeBytes { try Response.decode($0) }
            XCTAssertEqual(decoded, plain)
            var frame = ByteBuffer()
            try fast.writeFrame(into: &frame)
            let length = frame.readInteger(endianness: .big, as: UInt32.self)
            XCTAssertEqual(Int(length ?? 0), frame.readableBytes)
            XCTAssertEqual(try Response.decode(frame), plain)
            XCTAssertEqual(fast.body?.verifyTokenAnswer, value)
        }
    }
}

final class ResponseHeadTests: XCTestCase {
    func testHeadReadsIDStatusAndErrorType() throws {
        var frame = ByteBuffer()
        try Response.failure(id: 77, .unauthenticated, errorType: "TokenExpired", message: "token has expired").writeFrame(into: &frame)
        frame.moveReaderIndex(forwardBy: 4)
        let head = try ResponseHead.decode(frame)
        XCTAssertEqual(head.id, 77)
        XCTAssertEqual(head.status, .unauthenticated)
        XCTAssertEqual(head.errorType, "TokenExpired")
        XCTAssertThrowsError(try ResponseHead.decode(ByteBuffer(bytes: [0xff, 0xff, 0xff])))
    }
}
