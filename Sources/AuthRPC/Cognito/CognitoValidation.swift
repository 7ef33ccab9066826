import Wire

/// Input checks made before any Cognito call (SPEC §5), like the seed's DTO
/// validation. Each function returns every rule the request breaks, as text that
/// names the field and the rule but never echoes a value; an empty list means valid.
/// The pool's own policy stays authoritative: Cognito may still refuse.
enum CognitoValidation {
    /// Cognito's own limits: tokens are about 1-2 KB; 16 KiB matches AUTHRPC_MAX_TOKEN_BYTES' default.
    static let maxTokenLength = 16384
    static let maxFieldLength = 2048

    static func register(_ r: RegisterRequest) -> [String] {
        var v = Violations()
        v.username(r.username)
        v.newPassword(r.password, field: "password")
        v.email(r.email)
        for (name, value) in r.attributes.sorted(by: { $0.key < $1.key }) {
            if name.isEmpty || name.count > 32 || !isPrintable(name) {
                v.add("attribute names must be 1-32 printable characters")
            }
            if value.count > maxFieldLength { v.add("attribute values must be at most \(maxFieldLength) characters") }
            if name == "email" && value != r.email { v.add("attributes must not set email differently from the email field") }
        }
        return v.list
    }

    static func confirmRegistration(_ r: ConfirmRegistrationRequest) -> [String] {
        var v = Violations()
        v.username(r.username)
        v.code(r.code)
        return v.list
    }

    static func resendConfirmationCode(_ r: ResendConfirmationCodeRequest) -> [String] {
        var v = Violations()
        v.username(r.username)
        return v.list
    }

    /// No strength rules here: an old password may predate the current policy.
    static func authenticate(_ r: AuthenticateRequest) -> [String] {
        var v = Violations()
        v.username(r.username)
        v.required(r.password, field: "password", max: 256)
        return v.list
    }

    static func respondToChallenge(_ r: RespondToChallengeRequest) -> [String] {
        var v = Violations()
        v.username(r.username)
        v.required(r.challengeName, field: "challenge_name", max: 64)
        v.required(r.session, field: "session", max: maxFieldLength)
        if r.challengeName == "NEW_PASSWORD_REQUIRED" {
            v.newPassword(r.responses["NEW_PASSWORD"] ?? "", field: "responses.NEW_PASSWORD")
        }
        for (name, value) in r.responses {
            if name.isEmpty || name.count > 256 || value.count > maxFieldLength {
                v.add("responses entries must have a name of 1-256 characters and a value of at most \(maxFieldLength)")
                break
            }
        }
        return v.list
    }

    /// `username` is needed only for SECRET_HASH, so only then required.
    static func refreshTokens(_ r: RefreshTokensRequest, secretConfigured: Bool) -> [String] {
        var v = Violations()
        v.required(r.refreshToken, field: "refresh_token", max: maxTokenLength)
        if secretConfigured || !r.username.isEmpty { v.username(r.username) }
        return v.list
    }

    static func signOut(_ r: SignOutRequest) -> [String] {
        var v = Violations()
        v.required(r.accessToken, field: "access_token", max: maxTokenLength)
        return v.list
    }

    static func forgotPassword(_ r: ForgotPasswordRequest) -> [String] {
        var v = Violations()
        v.username(r.username)
        return v.list
    }

    static func confirmForgotPassword(_ r: ConfirmForgotPasswordRequest) -> [String] {
        var v = Violations()
        v.username(r.username)
        v.code(r.code)
        v.newPassword(r.newPassword, field: "new_password")
        return v.list
    }

    /// Cognito's username pattern `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`: letters, marks,
    /// symbols, numbers and punctuation; no spaces, no control or format characters.
    static func isPrintable(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark,
                 .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
                 .decimalNumber, .letterNumber, .otherNumber,
                 .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                true
            default:
                false
            }
        }
    }

    /// A pragmatic "well-formed": `local@domain`, one `@`, a dotted domain of
    /// letter/digit/hyphen labels and a top-level label of two or more letters,
    /// RFC 5321 lengths (64 / 254), no spaces or quotes.
    static func isWellFormedEmail(_ s: String) -> Bool {
        guard s.count <= 254 else { return false }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let local = parts[0], domain = parts[1]
        guard (1...64).contains(local.count), !local.hasPrefix("."), !local.hasSuffix("."),
              !local.contains("..") else { return false }
        let localExtras = Set("!#$%&'*+/=?^_`{|}~.-")
        guard local.allSatisfy({ ($0.isLetter || $0.isNumber || localExtras.contains($0)) }) else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.count), !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return false }
        }
        return labels.last!.count >= 2 && labels.last!.allSatisfy(\.isLetter)
    }
}

/// Collects broken rules in order, each once.
struct Violations {
    private(set) var list: [String] = []

    mutating func add(_ rule: String) {
        if !list.contains(rule) { list.append(rule) }
    }

    mutating func required(_ value: String, field: String, max: Int) {
        if value.isEmpty { add("\(field) is required") }
        else if value.count > max { add("\(field) must be at most \(max) characters") }
    }

    mutating func username(_ value: String) {
        if value.isEmpty { return add("username is required") }
        if value.count > 128 { add("username must be at most 128 characters") }
        if !CognitoValidation.isPrintable(value) {
            add("username must contain only printable characters (no spaces or control characters)")
        }
    }

    mutating func email(_ value: String) {
        if value.isEmpty { add("email is required") }
        else if !CognitoValidation.isWellFormedEmail(value) { add("email must be a well-formed address") }
    }

    mutating func code(_ value: String) {
        required(value, field: "code", max: CognitoValidation.maxFieldLength)
        if value.contains(where: \.isWhitespace) { add("code must not contain spaces") }
    }

    /// SPEC §5: at least 8 characters with a lower-case letter, an upper-case
    /// letter and a digit (Cognito caps passwords at 256).
    mutating func newPassword(_ value: String, field: String) {
        if value.isEmpty { return add("\(field) is required") }
        if value.count < 8 { add("\(field) must be at least 8 characters") }
        if value.count > 256 { add("\(field) must be at most 256 characters") }
        if !value.contains(where: \.isLowercase) { add("\(field) must contain a lower-case letter") }
        if !value.contains(where: \.isUppercase) { add("\(field) must contain an upper-case letter") }
        if !value.contains(where: { $0.isASCII && $0.isNumber }) { add("\(field) must contain a digit") }
    }
}
