import ArgumentParser
import Foundation

/// `bench verify --max-errors PERCENT`: the share of requests that may go wrong before
/// the run fails (exit `CLIExit.rejected`). A request goes wrong when it is lost or its
/// answer is not the one its token was made for: OK for valid tokens and `--tokens`
/// files, TokenExpired and BadSignature for the mix's expired and bad-signature kinds.
/// The default, 0, means a benchmark against the wrong server (every answer
/// WrongIssuer, say) fails loudly instead of reporting a fast run of rejections.
struct ErrorBudget: ExpressibleByArgument, Equatable {
    /// In percent, 0...100.
    let maxPercent: Double

    init(maxPercent: Double) { self.maxPercent = maxPercent }

    /// `0`, `0.5`, `5%`.
    init?(argument: String) {
        var text = Substring(argument.trimmingCharacters(in: .whitespaces))
        if text.hasSuffix("%") { text = text.dropLast() }
        guard let value = Double(text), value.isFinite, (0...100).contains(value) else { return nil }
        maxPercent = value
    }

    var defaultValueDescription: String { "\(Self.format(maxPercent))%" }

    /// Why the run is over its budget, or nil when it is within.
    func verdict(sent: Int, lost: Int, unexpected: Int, outcomes: [String: Int]) -> String? {
        guard sent > 0 else { return "no request was sent" }
        let wrong = unexpected + lost
        let percent = 100 * Double(wrong) / Double(sent)
        guard percent > maxPercent else { return nil }
        var seen = outcomes.filter { $0.key != "OK" }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3)
            .map { "\($0.key): \($0.value)" }
        if lost > 0 { seen.append("lost: \(lost)") }
        return "\(Self.format(percent))% of \(sent) requests did not get the answer their token was made for"
            + (seen.isEmpty ? "" : " (\(seen.joined(separator: ", ")))")
            + ", above --max-errors \(Self.format(maxPercent))%"
    }

    private static func format(_ percent: Double) -> String {
        percent.rounded() == percent ? String(Int(percent)) : String(format: "%.2f", percent)
    }
}
