/// Why a token (or a group rule) was refused: a stable machine-readable `errorType`
/// (SPEC §6, the names clients match on) plus a message for people.
///
/// The message never contains the token or any text taken from it (an attacker
/// controls that text and it may be a live credential); at most it names a claim, a
/// scope or a group the *caller* asked for.
public struct VerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case malformedToken = "MalformedToken"              // step 1, and a missing kid (step 2)
        case unsupportedAlgorithm = "UnsupportedAlgorithm"  // step 2
        case wrongIssuer = "WrongIssuer"                    // step 3
        case unknownKey = "UnknownKey"                      // step 4
        case badSignature = "BadSignature"                  // step 5
        case tokenExpired = "TokenExpired"                  // step 6
        case tokenNotYetValid = "TokenNotYetValid"          // step 6
        case wrongTokenUse = "WrongTokenUse"                // step 7
        case wrongAudience = "WrongAudience"                // step 8
        case missingScope = "MissingScope"                  // step 9
        case groupCheckFailed = "GroupCheckFailed"          // CheckGroups rules
        case noGroupRules = "NoGroupRules"                  // CheckGroups with no rule at all
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind; self.message = message
    }

    /// The `error_type` of the response.
    public var errorType: String { kind.rawValue }

    public var description: String { "\(errorType): \(message)" }
}
