import CAuthRPCProto

// Token verification messages (SPEC §4 Claims, VerifyToken*, CheckGroups*).
// Each type reads itself from an unpacked struct (`init(c:)`) and builds its struct in
// an arena for packing (`cMessage(in:)`).

extension Claims {
    init(c: Authrpc__V1__Claims) {
        self.init()
        sub = swiftString(c.sub)
        username = swiftString(c.username)
        email = swiftString(c.email)
        emailVerified = Bool(cBoolean: c.email_verified)
        groups = swiftStrings(c.n_groups, c.groups)
        tokenUse = TokenUse(c: c.token_use)
        clientID = swiftString(c.client_id)
        scopes = swiftStrings(c.n_scopes, c.scopes)
        issuer = swiftString(c.issuer)
        issuedAt = c.issued_at
        expiresAt = c.expires_at
        authTime = c.auth_time
        jti = swiftString(c.jti)
        originJTI = swiftString(c.origin_jti)
        payloadJSON = swiftString(c.payload_json)
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__Claims> {
        arena.message(authrpc__v1__claims__init) { c in
            c.sub = arena.string(sub)
            c.username = arena.string(username)
            c.email = arena.string(email)
            c.email_verified = emailVerified.cBoolean
            (c.n_groups, c.groups) = arena.strings(groups)
            c.token_use = tokenUse.c
            c.client_id = arena.string(clientID)
            (c.n_scopes, c.scopes) = arena.strings(scopes)
            c.issuer = arena.string(issuer)
            c.issued_at = issuedAt
            c.expires_at = expiresAt
            c.auth_time = authTime
            c.jti = arena.string(jti)
            c.origin_jti = arena.string(originJTI)
            c.payload_json = arena.string(payloadJSON)
        }
    }
}

extension VerifyTokenRequest {
    init(c: Authrpc__V1__VerifyTokenRequest) {
        self.init(token: swiftString(c.token), tokenUse: TokenUse(c: c.token_use),
                  requiredScopes: swiftStrings(c.n_required_scopes, c.required_scopes))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__VerifyTokenRequest> {
        arena.message(authrpc__v1__verify_token_request__init) { c in
            c.token = arena.string(token)
            c.token_use = tokenUse.c
            (c.n_required_scopes, c.required_scopes) = arena.strings(requiredScopes)
        }
    }
}

extension VerifyTokenResponse {
    init(c: Authrpc__V1__VerifyTokenResponse) {
        self.init(claims: c.claims.map { Claims(c: $0.pointee) })
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__VerifyTokenResponse> {
        arena.message(authrpc__v1__verify_token_response__init) { c in
            c.claims = claims?.cMessage(in: arena)
        }
    }
}

extension CheckGroupsRequest {
    init(c: Authrpc__V1__CheckGroupsRequest) {
        self.init(token: swiftString(c.token), tokenUse: TokenUse(c: c.token_use),
                  allowedGroups: swiftStrings(c.n_allowed_groups, c.allowed_groups),
                  requiredGroups: swiftStrings(c.n_required_groups, c.required_groups),
                  prohibitedGroups: swiftStrings(c.n_prohibited_groups, c.prohibited_groups))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__CheckGroupsRequest> {
        arena.message(authrpc__v1__check_groups_request__init) { c in
            c.token = arena.string(token)
            c.token_use = tokenUse.c
            (c.n_allowed_groups, c.allowed_groups) = arena.strings(allowedGroups)
            (c.n_required_groups, c.required_groups) = arena.strings(requiredGroups)
            (c.n_prohibited_groups, c.prohibited_groups) = arena.strings(prohibitedGroups)
        }
    }
}

extension CheckGroupsResponse {
    init(c: Authrpc__V1__CheckGroupsResponse) {
        self.init(claims: c.claims.map { Claims(c: $0.pointee) },
                  matchedGroups: swiftStrings(c.n_matched_groups, c.matched_groups))
    }

    func cMessage(in arena: CArena) -> UnsafeMutablePointer<Authrpc__V1__CheckGroupsResponse> {
        arena.message(authrpc__v1__check_groups_response__init) { c in
            c.claims = claims?.cMessage(in: arena)
            (c.n_matched_groups, c.matched_groups) = arena.strings(matchedGroups)
        }
    }
}
