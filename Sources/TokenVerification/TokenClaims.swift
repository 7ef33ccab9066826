/// The claims of a token's payload that verification reads (SPEC §4 `Claims`, SPEC §6
/// steps 3 and 6-9), parsed in one pass by `JSONReader`. Unknown claims are validated
/// and skipped; `payloadJSON` keeps them for callers. String claims are kept as positions
/// in the payload (`ClaimText`), so parsing allocates nothing for them.
///
/// A registered claim of the wrong JSON type (say `"exp": "soon"`) makes the payload
/// malformed (step 1) rather than being ignored: a claim we cannot read must not
/// silently stop being checked. `null` counts as absent.
struct TokenClaims: Sendable {
    /// What the payload's identity claims are compared with. They are matched while
    /// parsing, byte for byte, and a match is the configured string itself (the same
    /// text), so the hot path allocates no string for them.
    struct Expected: Sendable {
        var issuers = ConfiguredStrings()
        var clientIDs = ConfiguredStrings()
        init(issuers: [String] = [], clientIDs: [String] = []) {
            self.issuers = ConfiguredStrings(issuers)
            self.clientIDs = ConfiguredStrings(clientIDs)
        }
    }

    /// Configured values, with their bytes for matching.
    struct ConfiguredStrings: Sendable {
        private(set) var bytes: [[UInt8]] = []
        private var values: [String] = []
        init(_ values: [String] = []) {
            self.values = values
            self.bytes = values.map { Array($0.utf8) }
        }
        func value(matching index: Int?) -> String? { index.map { values[$0] } }
    }

    /// `iss`, when it is a configured issuer; nil when absent or not configured.
    var issuer: String?
    var subject: ClaimText?
    /// `username` (access tokens).
    var username: ClaimText?
    /// `cognito:username` (id tokens).
    var cognitoUsername: ClaimText?
    var email: ClaimText?
    /// `email_verified`: Cognito sends a bool; some emulators send "true"/"false".
    var emailVerified = false
    /// Where the `cognito:groups` array lies (already validated: strings only); read into
    /// names by `groups(in:)` when an answer needs them.
    var groupsArray: Range<Int>?
    /// `token_use`: nil when absent or neither "id" nor "access" (step 7 then fails).
    var tokenUse: TokenKind?
    /// `client_id` (access tokens), when it is an accepted client; nil when absent or not.
    var clientID: String?
    /// The first accepted `aud` (id tokens); `aud` may be a string or an array of strings
    /// (RFC 7519 §4.1.3).
    var audience: String?
    /// `scope`, space-separated (RFC 6749 §3.3; access tokens).
    var scope: ClaimText?
    var expiresAt: Int64?
    var notBefore: Int64?
    var issuedAt: Int64?
    var authTime: Int64?
    var jti: ClaimText?
    var originJTI: ClaimText?

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
                if key.matches("iss") { self.issuer = try Self.match(&r, expected.issuers) }
                else if key.matches("sub") { self.subject = try Self.text(&r) }
                else if key.matches("exp") { self.expiresAt = try Self.date(&r) }
                else if key.matches("iat") { self.issuedAt = try Self.date(&r) }
                else if key.matches("nbf") { self.notBefore = try Self.date(&r) }
                else if key.matches("aud") { self.audience = try Self.matchStringOrArray(&r, expected.clientIDs) }
                else if key.matches("jti") { self.jti = try Self.text(&r) }
                else { try r.skipValue() }
            case 5:
                if key.matches("scope") { self.scope = try Self.text(&r) }
                else if key.matches("email") { self.email = try Self.text(&r) }
                else { try r.skipValue() }
            case 8:
                if key.matches("username") { self.username = try Self.text(&r) } else { try r.skipValue() }
            case 9:
                if key.matches("token_use") { self.tokenUse = try Self.tokenUse(&r) }
                else if key.matches("client_id") { self.clientID = try Self.match(&r, expected.clientIDs) }
                else if key.matches("auth_time") { self.authTime = try Self.date(&r) }
                else { try r.skipValue() }
            case 10:
                if key.matches("origin_jti") { self.originJTI = try Self.text(&r) } else { try r.skipValue() }
            case 14:
                if key.matches("cognito:groups") { self.groupsArray = try Self.stringArray(&r) }
                else if key.matches("email_verified") { self.emailVerified = try Self.flag(&r) }
                else { try r.skipValue() }
            case 16:
                if key.matches("cognito:username") { self.cognitoUsername = try Self.text(&r) } else { try r.skipValue() }
            default:
                try r.skipValue()
            }
        }
        try reader.finish()
    }

    private static func text(_ r: inout JSONReader) throws(JSONReader.Malformed) -> ClaimText? {
        switch try r.peekKind() {
        case .string:
            let t = try r.readText()
            if let unescaped = t.unescaped { return .unescaped(unescaped) }
            return .span(start: t.start, count: t.count)
        case .null: try r.readNull(); return nil
        default: throw JSONReader.Malformed(reason: "claim should be a string")
        }
    }

    private static let tokenUses: [[UInt8]] = [Array("id".utf8), Array("access".utf8)]

    private static func tokenUse(_ r: inout JSONReader) throws(JSONReader.Malformed) -> TokenKind? {
        switch try r.peekKind() {
        case .string:
            switch try r.readString(matchingOneOf: tokenUses) {
            case 0: return .id
            case 1: return .access
            default: return nil
            }
        case .null: try r.readNull(); return nil
        default: throw JSONReader.Malformed(reason: "token_use should be a string")
        }
    }

    private static func date(_ r: inout JSONReader) throws(JSONReader.Malformed) -> Int64? {
        switch try r.peekKind() {
        case .number: return try r.readNumericDate()
        case .null: try r.readNull(); return nil
        default: throw JSONReader.Malformed(reason: "time claim should be a number")
        }
    }

    /// Validates an array of strings and returns where it lies; nil for `null`.
    private static func stringArray(_ r: inout JSONReader) throws(JSONReader.Malformed) -> Range<Int>? {
        switch try r.peekKind() {
        case .array:
            let start = r.offsetOfNextValue()
            try r.readArray { e throws(JSONReader.Malformed) in
                guard try e.peekKind() == .string else { throw JSONReader.Malformed(reason: "array claim should hold strings") }
                _ = try e.readText()
            }
            return start..<r.offset
        case .null: try r.readNull(); return nil
        default: throw JSONReader.Malformed(reason: "claim should be an array of strings")
        }
    }

    /// The names in `cognito:groups`, in token order; `payload` is the buffer that was parsed.
    func groups(in payload: UnsafeRawBufferPointer) -> [String] {
        guard let span = groupsArray else { return [] }
        var names: [String] = []
        var reader = JSONReader(UnsafeRawBufferPointer(rebasing: payload[span]))
        // Validated when the payload was parsed; a failure here cannot happen.
        try? reader.readArray { e throws(JSONReader.Malformed) in names.append(try e.readString()) }
        return names
    }

    private static func match(_ r: inout JSONReader, _ candidates: ConfiguredStrings) throws(JSONReader.Malformed) -> String? {
        switch try r.peekKind() {
        case .string: return candidates.value(matching: try r.readString(matchingOneOf: candidates.bytes))
        case .null: try r.readNull(); return nil
        default: throw JSONReader.Malformed(reason: "claim should be a string")
        }
    }

    private static func matchStringOrArray(_ r: inout JSONReader, _ candidates: ConfiguredStrings) throws(JSONReader.Malformed) -> String? {
        guard try r.peekKind() == .array else { return try match(&r, candidates) }
        var first: String?
        try r.readArray { e throws(JSONReader.Malformed) in
            guard try e.peekKind() == .string else { throw JSONReader.Malformed(reason: "aud should hold strings") }
            let value = candidates.value(matching: try e.readString(matchingOneOf: candidates.bytes))
            if first == nil { first = value }
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
