import CAuthRPCProto
import NIOCore

// SPEC §3/§4: a `Request` to and from the bytes of one frame.

extension Request {
    /// Decodes one serialized `authrpc.v1.Request` (a frame's payload, without its length).
    ///
    /// Throws `.malformed` when protobuf-c rejects the bytes. A body field this build does
    /// not know (a newer client) decodes as `.unrecognized(fieldNumber:)` so the server can
    /// answer `UNIMPLEMENTED` with the id echoed, instead of `MissingBody`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Request {
        try ProtobufC.decode(bytes, as: Authrpc__V1__Request.self, Request.init(c:))
    }

    /// Decodes the buffer's readable bytes; its reader index does not move.
    public static func decode(_ buffer: ByteBuffer) throws(WireError) -> Request {
        try ProtobufC.decode(buffer, as: Authrpc__V1__Request.self, Request.init(c:))
    }

    /// The serialized message, without a frame length. Throws rather than cut short a
    /// string containing U+0000 (protobuf-c strings end at the first NUL).
    public func encodedBytes() throws(WireError) -> [UInt8] {
        try withCArena { arena throws(WireError) in
            let message = cMessage(in: arena)
            try arena.checkEncodable()
            return ProtobufC.encodedBytes(message)
        }
    }

    /// Appends one frame: a 4-byte big-endian length, then the message packed directly
    /// into the buffer's storage. Throws, writing nothing, for a string holding U+0000.
    public func writeFrame(into buffer: inout ByteBuffer) throws(WireError) {
        try withCArena { arena throws(WireError) in
            let message = cMessage(in: arena)
            try arena.checkEncodable()
            ProtobufC.writeFrame(message, into: &buffer)
        }
    }

    init(c: Authrpc__V1__Request) {
        self.init(id: c.id, deadlineMs: c.deadline_ms, body: Body(c: c))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__Request> {
        arena.message(authrpc__v1__request__init) { c in
            c.id = id
            c.deadline_ms = deadlineMs
            switch body {
            case .health(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_HEALTH
                c.health = m.cMessage(in: arena)
            case .register(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_REGISTER
                c.register_ = m.cMessage(in: arena)
            case .confirmRegistration(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_CONFIRM_REGISTRATION
                c.confirm_registration = m.cMessage(in: arena)
            case .resendConfirmationCode(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_RESEND_CONFIRMATION_CODE
                c.resend_confirmation_code = m.cMessage(in: arena)
            case .authenticate(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_AUTHENTICATE
                c.authenticate = m.cMessage(in: arena)
            case .respondToChallenge(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_RESPOND_TO_CHALLENGE
                c.respond_to_challenge = m.cMessage(in: arena)
            case .refreshTokens(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_REFRESH_TOKENS
                c.refresh_tokens = m.cMessage(in: arena)
            case .signOut(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_SIGN_OUT
                c.sign_out = m.cMessage(in: arena)
            case .forgotPassword(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_FORGOT_PASSWORD
                c.forgot_password = m.cMessage(in: arena)
            case .confirmForgotPassword(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_CONFIRM_FORGOT_PASSWORD
                c.confirm_forgot_password = m.cMessage(in: arena)
            case .verifyToken(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_VERIFY_TOKEN
                c.verify_token = m.cMessage(in: arena)
            case .checkGroups(let m):
                c.body_case = AUTHRPC__V1__REQUEST__BODY_CHECK_GROUPS
                c.check_groups = m.cMessage(in: arena)
            case .unrecognized, nil:
                // We cannot re-create a body we never understood; the frame goes out bodiless.
                break
            }
        }
    }
}

extension Request.Body {
    /// nil when the request carried no body at all.
    init?(c: Authrpc__V1__Request) {
        let body: Self? = switch c.body_case {
        case AUTHRPC__V1__REQUEST__BODY_HEALTH: c.health.map { .health(HealthRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_REGISTER: c.register_.map { .register(RegisterRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_CONFIRM_REGISTRATION:
            c.confirm_registration.map { .confirmRegistration(ConfirmRegistrationRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_RESEND_CONFIRMATION_CODE:
            c.resend_confirmation_code.map { .resendConfirmationCode(ResendConfirmationCodeRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_AUTHENTICATE:
            c.authenticate.map { .authenticate(AuthenticateRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_RESPOND_TO_CHALLENGE:
            c.respond_to_challenge.map { .respondToChallenge(RespondToChallengeRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_REFRESH_TOKENS:
            c.refresh_tokens.map { .refreshTokens(RefreshTokensRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_SIGN_OUT: c.sign_out.map { .signOut(SignOutRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_FORGOT_PASSWORD:
            c.forgot_password.map { .forgotPassword(ForgotPasswordRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_CONFIRM_FORGOT_PASSWORD:
            c.confirm_forgot_password.map { .confirmForgotPassword(ConfirmForgotPasswordRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_VERIFY_TOKEN:
            c.verify_token.map { .verifyToken(VerifyTokenRequest(c: $0.pointee)) }
        case AUTHRPC__V1__REQUEST__BODY_CHECK_GROUPS:
            c.check_groups.map { .checkGroups(CheckGroupsRequest(c: $0.pointee)) }
        default: Self.unrecognizedBody(in: c.base)
        }
        guard let body else { return nil }
        self = body
    }

    /// protobuf-c keeps fields it has no descriptor for in `base.unknown_fields`. Body
    /// fields start at 10 (SPEC §4) and a newer client adds new ones past 21, so the first
    /// unknown field numbered 10 or more is taken as the body we cannot read. Unknown
    /// fields below 10 would be new envelope fields, not a body.
    private static func unrecognizedBody(in base: ProtobufCMessage) -> Self? {
        guard base.n_unknown_fields > 0, let fields = base.unknown_fields else { return nil }
        let unknown = UnsafeBufferPointer(start: fields, count: Int(base.n_unknown_fields))
        return unknown.first { $0.tag >= 10 }.map { .unrecognized(fieldNumber: $0.tag) }
    }
}
