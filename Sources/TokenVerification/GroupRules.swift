/// CheckGroups' three rules over the verified token's `cognito:groups` (SPEC §6):
/// `allowed` — at least one; `required` — all; `prohibited` — none. Every rule given must
/// hold. Names compare exactly (case-sensitive, no trimming), as Cognito stores them.
public struct GroupRules: Sendable {
    public var allowed: [String]
    public var required: [String]
    public var prohibited: [String]

    public init(allowed: [String] = [], required: [String] = [], prohibited: [String] = []) {
        self.allowed = allowed
        self.required = required
        self.prohibited = prohibited
    }

    public var isEmpty: Bool { allowed.isEmpty && required.isEmpty && prohibited.isEmpty }

    /// The user's groups that satisfied `allowed`/`required` (in the token's order), or
    /// the first failed rule. Failure messages name the rule and the caller's group
    /// names, never the user's other groups.
    public func evaluate(userGroups: [String]) -> Result<[String], VerificationError> {
        if !allowed.isEmpty && !userGroups.contains(where: { allowed.contains($0) }) {
            return .failure(VerificationError(.groupCheckFailed, "allowed_groups: the user is in none of the allowed groups"))
        }
        if let missing = required.first(where: { !userGroups.contains($0) }) {
            return .failure(VerificationError(.groupCheckFailed, "required_groups: the user is not in \"\(missing)\""))
        }
        if let banned = prohibited.first(where: { userGroups.contains($0) }) {
            return .failure(VerificationError(.groupCheckFailed, "prohibited_groups: the user is in \"\(banned)\""))
        }
        var matched: [String] = []
        for group in userGroups where (allowed.contains(group) || required.contains(group)) && !matched.contains(group) {
            matched.append(group)
        }
        return .success(matched)
    }
}
