import Foundation

/// Strips every secret of one request (password, code, token, session, client
/// secret, SECRET_HASH) from text that came from Cognito before it reaches a
/// log line or a `Response.message`.
public struct Redactor: Sendable {
    public let secrets: [String]

    public init(_ secrets: [String]) { self.secrets = secrets.filter { !$0.isEmpty } }

    /// Control characters dropped, length capped, secrets replaced.
    public func clean(_ text: String) -> String {
        var out = String(text.unicodeScalars.filter { !$0.properties.isNoncharacterCodePoint && $0.value >= 0x20 && $0.value != 0x7F }
            .map(Character.init))
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "<redacted>")
        }
        if out.count > 300 { out = String(out.prefix(300)) + "…" }
        return out
    }

    /// Cognito's message when it carried no secret, else `fallback`: a message a
    /// client shows must not even hint at a redacted value.
    public func message(_ text: String, fallback: String) -> String {
        if text.isEmpty || secrets.contains(where: { text.contains($0) }) { return fallback }
        return clean(text)
    }
}
