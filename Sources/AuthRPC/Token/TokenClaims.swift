/// The claims of a token's payload that verification reads (SPEC §4 `Claims`, SPEC §6
/// steps 3 and 6-9), parsed in one pass by `JSONReader`. Unknown claims are validated
/// and skipped; `payloadJSON` keeps them for callers.
///
/// A registered claim of the wrong JSON type (say `"exp": "soon"`) makes the payload
/// malformed (step 1) rather than being ignored: a claim we cannot read must not
/// silently stop being checked. `null` counts as absent.
struct TokenClaims: Sendable {
    var issuer: String?
    var subject: String?
    /// `username` (access tokens).
    var username: String?
    /// `cognito:username` (id tokens).
    var cognitoUsername: String?
    var email: String?
    /// `email_verified`: Cognito sends a bool; some emulators send "true"/"false".
    var emailVerified = false
    /// `cognito:groups`.
    var groups: [String] = []
    var tokenUse: String?
    /// `client_id` (access tokens).
    var clientID: String?
    /// `aud` (id tokens): a string or an array of strings (RFC 7519 §4.1.3).
    var audience: [String] = []
    /// `scope`, space-separated (access tokens).
    var scope: String?
    var expiresAt: Int64?
    var notBefore: Int64?
    var issuedAt: Int64?
    var authTime: Int64?
    var jti: String?
    var originJTI: String?

    init() {}

    /// Parses a payload; throws when it is not one strict JSON object of the expected shape.
    init(json: UnsafeRawBufferPointer) throws(JSONReader.Malformed) {
        var reader = JSONReader(json)
        var claims = TokenClaims()
        try reader.readObject { key, r throws(JSONReader.Malformed) in
            if key.matches("iss") { claims.issuer = try Self.string(&r) }
            else if key.matches("sub") { claims.subject = try Self.string(&r) }
            else if key.matches("exp") { claims.expiresAt = try Self.date(&r) }
            else if key.matches("iat") { claims.issuedAt = try Self.date(&r) }
            else if key.matches("nbf") { claims.notBefore = try Self.date(&r) }
            else if key.matches("auth_time") { claims.authTime = try Self.date(&r) }
            else if key.matches("token_use") { claims.tokenUse = try Self.string(&r) }
            else if key.matches("client_id") { claims.clientID = try Self.string(&r) }
            else if key.matches("aud") { claims.audience = try Self.stringOrArray(&r) }
            else if key.matches("scope") { claims.scope = try Self.string(&r) }
            else if key.matches("username") { claims.username = try Self.string(&r) }
            else if key.matches("cognito:username") { claims.cognitoUsername = try Self.string(&r) }
            else if key.matches("cognito:groups") { claims.groups = try Self.stringArray(&r) }
            else if key.matches("email") { claims.email = try Self.string(&r) }
            else if key.matches("email_verified") { claims.emailVerified = try Self.flag(&r) }
            else if key.matches("jti") { claims.jti = try Self.string(&r) }
            else if key.matches("origin_jti") { claims.originJTI = try Self.string(&r) }
            else { try r.skipValue() }
        }
        try reader.finish()
        self = claims
    }

    private static func string(_ r: inout JSONReader) throws(JSONReader.Malformed) -> String? {
        switch try r.peekKind() {
        case .string: return try r.readString()
        case .null: try r.readNull(); return nil
        default: throw JSONReader.Malformed(reason: "claim should be a string")
        }
    }

    private static func date(_ r: inout JSONReader) throws(JSONReader.Malformed) -> Int64? {
        switch try r.peekKind() {
        case .number: return try r.readNumericDate()
        case .null: try r.readNull(); return nil
        default: throw JSONReader.Malformed(reason: "time claim should be a number")
        }
    }

    private static func stringArray(_ r: inout JSONReader) throws(JSONReader.Malformed) -> [String] {
        switch try r.peekKind() {
        case .array:
            var out: [String] = []
            try r.readArray { e throws(JSONReader.Malformed) in
                guard try e.peekKind() == .string else { throw JSONReader.Malformed(reason: "array claim should hold strings") }
                out.append(try e.readString())
            }
            return out
        case .null: try r.readNull(); return []
        default: throw JSONReader.Malformed(reason: "claim should be an array of strings")
        }
    }

    private static func stringOrArray(_ r: inout JSONReader) throws(JSONReader.Malformed) -> [String] {
        if try r.peekKind() == .string { return [try r.readString()] }
        return try stringArray(&r)
    }

    private static func flag(_ r: inout JSONReader) throws(JSONReader.Malformed) -> Bool {
        switch try r.peekKind() {
        case .bool: return try r.readBool()
        case .string: return try r.readString() == "true"
        case .null: try r.readNull(); return false
        default: throw JSONReader.Malformed(reason: "email_verified should be a bool")
        }
    }
}
