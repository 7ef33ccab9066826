import Foundation

/// Strips what one request must not leak from text that came from Cognito, before it
/// reaches a log line or a `Response.message`:
///
/// - its secrets (password, code, token, session, client secret, SECRET_HASH), matched
///   exactly;
/// - its identifiers (the username, the email and other attribute values), matched
///   ignoring case: not secret to the caller, but personal data the logs must not keep,
///   and Cognito echoes them (`UsernameExistsException (HTTP 400): alice`). A message
///   (`Response.message`, "safe to log" by SPEC §4) that repeats one is replaced too,
///   since clients log it.
public struct Redactor: Sendable {
    public let secrets: [String]
    public let identifiers: [String]

    public init(_ secrets: [String], identifiers: [String] = []) {
        self.secrets = secrets.filter { !$0.isEmpty }
        self.identifiers = identifiers.filter { !$0.isEmpty }
    }

    /// Control characters dropped, length capped, secrets and identifiers replaced.
    public func clean(_ text: String) -> String {
        var out = String(text.unicodeScalars.filter { !$0.properties.isNoncharacterCodePoint && $0.value >= 0x20 && $0.value != 0x7F }
            .map(Character.init))
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "<redacted>")
        }
        for identifier in identifiers where out.range(of: identifier, options: .caseInsensitive) != nil {
            out = out.replacingOccurrences(of: identifier, with: "<redacted>", options: .caseInsensitive)
        }
        if out.count > 300 { out = String(out.prefix(300)) + "…" }
        return out
    }

    /// Cognito's message when it carried no secret and no identifier, else `fallback`: a
    /// message a client shows must not even hint at a redacted value.
    public func message(_ text: String, fallback: String) -> String {
        if text.isEmpty || secrets.contains(where: { text.contains($0) })
            || identifiers.contains(where: { text.range(of: $0, options: .caseInsensitive) != nil }) {
            return fallback
        }
        return clean(text)
    }
}
