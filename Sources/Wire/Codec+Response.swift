import CAuthRPCProto
import NIOCore

// SPEC §3/§4: a `Response` to and from the bytes of one frame.

extension Response {
    /// Decodes one serialized `authrpc.v1.Response` (a frame's payload, without its length).
    ///
    /// Throws `.malformed` when protobuf-c rejects the bytes. A body this build does not
    /// know decodes as `body == nil`; a status number it does not know reads as `.internal`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Response {
        try ProtobufC.decode(bytes, as: Authrpc__V1__Response.self, Response.init(c:))
    }

    /// Decodes the buffer's readable bytes; its reader index does not move.
    public static func decode(_ buffer: ByteBuffer) throws(WireError) -> Response {
        try ProtobufC.decode(buffer, as: Authrpc__V1__Response.self, Response.init(c:))
    }

    /// The serialized message, without a frame length. Throws rather than cut short a
    /// string containing U+0000 (protobuf-c strings end at the first NUL).
    public func encodedBytes() throws(WireError) -> [UInt8] {
        try withCArena { arena throws(WireError) in
            let message = cMessage(in: arena)
            try arena.checkEncodable()
            return ProtobufC.encodedBytes(message, appending: preEncodedField)
        }
    }

    /// Appends one frame: a 4-byte big-endian length, then the message packed directly
    /// into the buffer's storage. Throws, writing nothing, for a string holding U+0000.
    public func writeFrame(into buffer: inout ByteBuffer) throws(WireError) {
        try withCArena { arena throws(WireError) in
            let message = cMessage(in: arena)
            try arena.checkEncodable()
            ProtobufC.writeFrame(message, appending: preEncodedField, into: &buffer)
        }
    }

    /// A body serialized earlier, appended after the fields protobuf-c packs now.
    private var preEncodedField: [UInt8] {
        if case .verifyTokenEncoded(let encoded) = body { return encoded.fieldBytes }
        return []
    }

    init(c: Authrpc__V1__Response) {
        self.init(id: c.id, status: Status(c: c.status), message: swiftString(c.message),
                  errorType: swiftString(c.error_type), retryAfterMs: c.retry_after_ms, body: Body(c: c))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__Response> {
        arena.message(authrpc__v1__response__init) { c in
            c.id = id
            c.status = status.c
            c.message = arena.string(message)
            c.error_type = arena.string(errorType)
            c.retry_after_ms = retryAfterMs
            switch body {
            case .health(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_HEALTH
                c.health = m.cMessage(in: arena)
            case .register(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_REGISTER
                c.register_ = m.cMessage(in: arena)
            case .confirmRegistration(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_CONFIRM_REGISTRATION
                c.confirm_registration = m.cMessage(in: arena)
            case .resendConfirmationCode(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_RESEND_CONFIRMATION_CODE
                c.resend_confirmation_code = m.cMessage(in: arena)
            case .authenticate(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_AUTHENTICATE
                c.authenticate = m.cMessage(in: arena)
            case .respondToChallenge(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_RESPOND_TO_CHALLENGE
                c.respond_to_challenge = m.cMessage(in: arena)
            case .refreshTokens(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_REFRESH_TOKENS
                c.refresh_tokens = m.cMessage(in: arena)
            case .signOut(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_SIGN_OUT
                c.sign_out = m.cMessage(in: arena)
            case .forgotPassword(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_FORGOT_PASSWORD
                c.forgot_password = m.cMessage(in: arena)
            case .confirmForgotPassword(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_CONFIRM_FORGOT_PASSWORD
                c.confirm_forgot_password = m.cMessage(in: arena)
            case .verifyToken(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_VERIFY_TOKEN
                c.verify_token = m.cMessage(in: arena)
            case .checkGroups(let m):
                c.body_case = AUTHRPC__V1__RESPONSE__BODY_CHECK_GROUPS
                c.check_groups = m.cMessage(in: arena)
            case .verifyTokenEncoded:
                break  // appended as bytes after the packed fields (preEncodedField)
            case nil:
                break
            }
        }
    }
}

extension Response.Body {
    /// nil when the response carried no body, or one this build does not know.
    init?(c: Authrpc__V1__Response) {
        let body: Self? = switch c.body_case {
        case AUTHRPC__V1__RESPONSE__BODY_HEALTH: c.health.map { .health(HealthResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_REGISTER: c.register_.map { .register(RegisterResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_CONFIRM_REGISTRATION:
            c.confirm_registration.map { .confirmRegistration(ConfirmRegistrationResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_RESEND_CONFIRMATION_CODE:
            c.resend_confirmation_code.map { .resendConfirmationCode(ResendConfirmationCodeResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_AUTHENTICATE:
            c.authenticate.map { .authenticate(AuthenticateResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_RESPOND_TO_CHALLENGE:
            c.respond_to_challenge.map { .respondToChallenge(AuthenticateResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_REFRESH_TOKENS:
            c.refresh_tokens.map { .refreshTokens(AuthenticateResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_SIGN_OUT: c.sign_out.map { .signOut(SignOutResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_FORGOT_PASSWORD:
            c.forgot_password.map { .forgotPassword(ForgotPasswordResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_CONFIRM_FORGOT_PASSWORD:
            c.confirm_forgot_password.map { .confirmForgotPassword(ConfirmForgotPasswordResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_VERIFY_TOKEN:
            c.verify_token.map { .verifyToken(VerifyTokenResponse(c: $0.pointee)) }
        case AUTHRPC__V1__RESPONSE__BODY_CHECK_GROUPS:
            c.check_groups.map { .checkGroups(CheckGroupsResponse(c: $0.pointee)) }
        default: nil
        }
        guard let body else { return nil }
        self = body
    }
}

/// The parts of a `Response` a load generator needs: which request it answers and how.
/// Decoding only these (protobuf-c still parses the whole message) skips turning the
/// body into Swift values, which would make the load generator, not the server, the
/// bottleneck of a benchmark.
public struct ResponseHead: Sendable, Equatable {
    public var id: UInt64
    public var status: Status
    public var errorType: String

    public static func decode(_ buffer: ByteBuffer) throws(WireError) -> ResponseHead {
        try ProtobufC.decode(buffer, as: Authrpc__V1__Response.self) { c in
            ResponseHead(id: c.id, status: Status(c: c.status),
                         errorType: c.status == AUTHRPC__V1__STATUS__OK ? "" : swiftString(c.error_type))
        }
    }
}
