/// The claims of a token's payload that verification reads (SPEC §4 `Claims`, SPEC §6
/// steps 3 and 6-9), parsed in one pass by `JSONReader`. Unknown claims are validated
/// and skipped; `payloadJSON` keeps them for callers.
///
/// A registered claim of the wrong JSON type (say `"exp": "soon"`) makes the payload
/// malformed (step 1) rather than being ignored: a claim we cannot read must not
/// silently stop being checked. `null` counts as absent.
struct TokenClaims: Sendable {
    /// What the payload's identity claims are compared with. They are matched while
    /// parsing, byte for byte, so the hot path allocates no string for them (the answer
    /// reuses the configured string, which is the same text).
    struct Expected: Sendable {
        var issuers: [[UInt8]] = []
        var clientIDs: [[UInt8]] = []
        init(issuers: [String] = [], clientIDs: [String] = []) {
            self.issuers = issuers.map { Array($0.utf8) }
            self.clientIDs = clientIDs.map { Array($0.utf8) }
        }
    }

    /// Index into `Expected.issuers` of `iss`; nil when absent or not configured.
    var issuerIndex: Int?
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
    /// Index into `Expected.clientIDs` of `client_id` (access tokens); nil when absent or
    /// not an accepted client.
    var clientIDIndex: Int?
    /// Index into `Expected.clientIDs` of the first accepted `aud` (id tokens); `aud` may be
    /// a string or an array of strings (RFC 7519 §4.1.3).
    var audienceIndex: Int?
    /// `scope` split on spaces (RFC 6749 §3.3), empty pieces dropped (access tokens).
    var scopes: [String] = []
    var expiresAt: Int64?
    var notBefore: Int64?
    var issuedAt: Int64?
    var authTime: Int64?
    var jti: String?
    var originJTI: String?

    init() {}

    /// Parses a payload; throws when it is not one strict JSON object of the expected shape.
    init(json: UnsafeRawBufferPointer, expected: Expected = Expected()) throws(JSONReader.Malformed) {
        try parse(json: json, expected: expected)
    }

    /// Fills `self` from a payload (in place: the struct holds a dozen references and
    /// is not copied around on the hot path).
    mutating func parse(json: UnsafeRawBufferPointer, expected: Expected) throws(JSONReader.Malformed) {
        var reader = JSONReader(json)
        try reader.readObject { key, r throws(JSONReader.Malformed) in
            // Dispatch on length first: at most a few byte compares per member.
            switch key.count {
            case 3:
                if key.matches("iss") { self.issuerIndex = try Self.match(&r, expected.issuers) }
                else if key.matches("sub") { self.subject = try Self.string(&r) }
                else if key.matches("exp") { self.expiresAt = try Self.date(&r) }
                else if key.matches("iat") { self.issuedAt = try Self.date(&r) }
                else if key.matches("nbf") { self.notBefore = try Self.date(&r) }
                else if key.matches("aud") { self.audienceIndex = try Self.matchStringOrArray(&r, expected.clientIDs) }
                else if key.matches("jti") { self.jti = try Self.string(&r) }
                else { try r.skipValue() }
            case 5:
                if key.matches("scope") { self.scopes = try Self.spaceSeparated(&r) }
                else if key.matches("email") { self.email = try Self.string(&r) }
                else { try r.skipValue() }
            case 8:
                if key.matches("username") { self.username = try Self.string(&r) } else { try r.skipValue() }
            case 9:
                if key.matches("token_use") { self.tokenUse = try Self.string(&r) }
                else if key.matches("client_id") { self.clientIDIndex = try Self.match(&r, expected.clientIDs) }
                else if key.matches("auth_time") { self.authTime = try Self.date(&r) }
                else { try r.skipValue() }
            case 10:
                if key.matches("origin_jti") { self.originJTI = try Self.string(&r) } else { try r.skipValue() }
            case 14:
                if key.matches("cognito:groups") { self.groups = try Self.stringArray(&r) }
                else if key.matches("email_verified") { self.emailVerified = try Self.flag(&r) }
                else { try r.skipValue() }
            case 16:
                if key.matches("cognito:username") { self.cognitoUsername = try Self.string(&r) } else { try r.skipValue() }
            default:
                try r.skipValue()
            }
        }
        try reader.finish()
    }

    private static func string(_ r: inout JSONReader) throws(JSONReader.Malformed) -> String? {
        switch try r.peekKind() {
        case .string: return try r.readString()
        case .null: try r.readNull(); return nil
        default: throw JSONReader.Malformed(reason: "claim should be a string")
        }
    }

    private static func spaceSeparated(_ r: inout JSONReader) throws(JSONReader.Malformed) -> [String] {
        switch try r.peekKind() {
        case .string: return try r.readString(splittingOn: UInt8(ascii: " "))
        case .null: try r.readNull(); return []
        default: throw JSONReader.Malformed(reason: "scope should be a string")
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

    private static func match(_ r: inout JSONReader, _ candidates: [[UInt8]]) throws(JSONReader.Malformed) -> Int? {
        switch try r.peekKind() {
        case .string: return try r.readString(matchingOneOf: candidates)
        case .null: try r.readNull(); return nil
        default: throw JSONReader.Malformed(reason: "claim should be a string")
        }
    }

    private static func matchStringOrArray(_ r: inout JSONReader, _ candidates: [[UInt8]]) throws(JSONReader.Malformed) -> Int? {
        guard try r.peekKind() == .array else { return try match(&r, candidates) }
        var first: Int?
        try r.readArray { e throws(JSONReader.Malformed) in
            guard try e.peekKind() == .string else { throw JSONReader.Malformed(reason: "aud should hold strings") }
            let index = try e.readString(matchingOneOf: candidates)
            if first == nil { first = index }
        }
        return first
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
