import Wire

/// How `authrpc call` shows an answer: the proto's field names, empty fields left out.
extension Response {
    var json: JSONValue {
        var fields: [(String, JSONValue)] = [("id", .int(id)), ("status", .string(status.description))]
        if !message.isEmpty { fields.append(("message", .string(message))) }
        if !errorType.isEmpty { fields.append(("error_type", .string(errorType))) }
        if retryAfterMs > 0 { fields.append(("retry_after_ms", .int(retryAfterMs))) }
        if let body { fields.append(body.jsonField) }
        return .object(fields)
    }
}

extension Response.Body {
    var jsonField: (String, JSONValue) {
        switch self {
        case .health(let h):
            return ("health", .object([
                ("version", .string(h.version)), ("uptime_seconds", .int(h.uptimeSeconds)),
                ("pools", .array(h.pools.map { p in
                    .object([("issuer", .string(p.issuer)), ("keys", .int(p.keys)),
                             ("last_refresh_unix", .int(p.lastRefreshUnix)), ("last_error", .string(p.lastError))])
                })),
            ]))
        case .register(let r):
            var f: [(String, JSONValue)] = [("user_sub", .string(r.userSub)), ("user_confirmed", .bool(r.userConfirmed))]
            if let d = r.codeDelivery { f.append(("code_delivery", d.json)) }
            return ("register", .object(f))
        case .confirmRegistration: return ("confirm_registration", .object([]))
        case .resendConfirmationCode(let r): return ("resend_confirmation_code", .object(r.codeDelivery.map { [("code_delivery", $0.json)] } ?? []))
        case .authenticate(let a): return ("authenticate", a.json)
        case .respondToChallenge(let a): return ("respond_to_challenge", a.json)
        case .refreshTokens(let a): return ("refresh_tokens", a.json)
        case .signOut: return ("sign_out", .object([]))
        case .forgotPassword(let r): return ("forgot_password", .object(r.codeDelivery.map { [("code_delivery", $0.json)] } ?? []))
        case .confirmForgotPassword: return ("confirm_forgot_password", .object([]))
        case .verifyToken(let v): return ("verify_token", .object(v.claims.map { [("claims", $0.json)] } ?? []))
        case .verifyTokenEncoded(let e): return Self.verifyToken(e.response ?? VerifyTokenResponse()).jsonField
        case .checkGroups(let c):
            var f: [(String, JSONValue)] = c.claims.map { [("claims", $0.json)] } ?? []
            f.append(("matched_groups", .array(c.matchedGroups.map(JSONValue.string))))
            return ("check_groups", .object(f))
        }
    }
}

extension CodeDelivery {
    var json: JSONValue {
        .object([("destination", .string(destination)), ("delivery_medium", .string(deliveryMedium)),
                 ("attribute_name", .string(attributeName))])
    }
}

extension AuthenticateResponse {
    var json: JSONValue {
        var f: [(String, JSONValue)] = []
        if let t = tokens {
            f.append(("tokens", .object([
                ("id_token", .string(t.idToken)), ("access_token", .string(t.accessToken)),
                ("refresh_token", .string(t.refreshToken)), ("expires_in", .int(t.expiresIn)),
                ("token_type", .string(t.tokenType)),
            ])))
        }
        if let c = challenge {
            f.append(("challenge", .object([
                ("name", .string(c.name)), ("session", .string(c.session)),
                ("parameters", .object(c.parameters.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ])))
        }
        return .object(f)
    }
}

extension Claims {
    var json: JSONValue {
        .object([
            ("sub", .string(sub)), ("username", .string(username)), ("email", .string(email)),
            ("email_verified", .bool(emailVerified)), ("groups", .array(groups.map(JSONValue.string))),
            ("token_use", .string(["TOKEN_USE_ANY", "TOKEN_USE_ID", "TOKEN_USE_ACCESS"][Int(tokenUse.rawValue)])),
            ("client_id", .string(clientID)), ("scopes", .array(scopes.map(JSONValue.string))),
            ("issuer", .string(issuer)), ("issued_at", .int(issuedAt)), ("expires_at", .int(expiresAt)),
            ("auth_time", .int(authTime)), ("jti", .string(jti)), ("origin_jti", .string(originJTI)),
            ("payload_json", .string(payloadJSON)),
        ])
    }
}
