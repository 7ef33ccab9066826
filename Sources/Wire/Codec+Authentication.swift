import CAuthRPCProto

// Sign-in messages (SPEC §4 Tokens, Challenge, Authenticate*, RespondToChallenge*,
// RefreshTokens*, SignOut*).

extension Tokens {
    init(c: Authrpc__V1__Tokens) {
        self.init(idToken: swiftString(c.id_token), accessToken: swiftString(c.access_token),
                  refreshToken: swiftString(c.refresh_token), expiresIn: c.expires_in,
                  tokenType: swiftString(c.token_type))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__Tokens> {
        arena.message(authrpc__v1__tokens__init) { c in
            c.id_token = arena.string(idToken)
            c.access_token = arena.string(accessToken)
            c.refresh_token = arena.string(refreshToken)
            c.expires_in = expiresIn
            c.token_type = arena.string(tokenType)
        }
    }
}

extension Challenge {
    init(c: Authrpc__V1__Challenge) {
        self.init(name: swiftString(c.name), session: swiftString(c.session),
                  parameters: swiftMap(c.n_parameters, c.parameters))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__Challenge> {
        arena.message(authrpc__v1__challenge__init) { c in
            c.name = arena.string(name)
            c.session = arena.string(session)
            (c.n_parameters, c.parameters) = arena.map(parameters, authrpc__v1__challenge__parameters_entry__init)
        }
    }
}

extension AuthenticateRequest {
    init(c: Authrpc__V1__AuthenticateRequest) {
        self.init(username: swiftString(c.username), password: swiftString(c.password))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__AuthenticateRequest> {
        arena.message(authrpc__v1__authenticate_request__init) { c in
            c.username = arena.string(username)
            c.password = arena.string(password)
        }
    }
}

extension AuthenticateResponse {
    init(c: Authrpc__V1__AuthenticateResponse) {
        self.init(tokens: c.tokens.map { Tokens(c: $0.pointee) },
                  challenge: c.challenge.map { Challenge(c: $0.pointee) })
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__AuthenticateResponse> {
        arena.message(authrpc__v1__authenticate_response__init) { c in
            c.tokens = tokens?.cMessage(in: arena)
            c.challenge = challenge?.cMessage(in: arena)
        }
    }
}

extension RespondToChallengeRequest {
    init(c: Authrpc__V1__RespondToChallengeRequest) {
        self.init(username: swiftString(c.username), challengeName: swiftString(c.challenge_name),
                  session: swiftString(c.session), responses: swiftMap(c.n_responses, c.responses))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__RespondToChallengeRequest> {
        arena.message(authrpc__v1__respond_to_challenge_request__init) { c in
            c.username = arena.string(username)
            c.challenge_name = arena.string(challengeName)
            c.session = arena.string(session)
            (c.n_responses, c.responses) = arena.map(responses, authrpc__v1__respond_to_challenge_request__responses_entry__init)
        }
    }
}

extension RefreshTokensRequest {
    init(c: Authrpc__V1__RefreshTokensRequest) {
        self.init(refreshToken: swiftString(c.refresh_token), username: swiftString(c.username))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__RefreshTokensRequest> {
        arena.message(authrpc__v1__refresh_tokens_request__init) { c in
            c.refresh_token = arena.string(refreshToken)
            c.username = arena.string(username)
        }
    }
}

extension SignOutRequest {
    init(c: Authrpc__V1__SignOutRequest) {
        self.init(accessToken: swiftString(c.access_token))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__SignOutRequest> {
        arena.message(authrpc__v1__sign_out_request__init) { c in
            c.access_token = arena.string(accessToken)
        }
    }
}

extension SignOutResponse {
    init(c _: Authrpc__V1__SignOutResponse) { self.init() }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__SignOutResponse> {
        arena.message(authrpc__v1__sign_out_response__init) { _ in }
    }
}
