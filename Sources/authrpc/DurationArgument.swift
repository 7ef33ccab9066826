import Foundation
import ArgumentParser

/// A length of time on the command line: `500ms`, `10s`, `2m`, `1h`, or a bare number
/// of seconds (`10`, `0.5`), which is what a bare number always meant here.
struct DurationArgument: ExpressibleByArgument, Equatable, CustomStringConvertible {
    let duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        // Longest suffix first: "ms" before "m" and "s".
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("h", 3600), ("m", 60), ("s", 1)]
        var number = Substring(text)
        var scale = 1.0
        if let (suffix, factor) = units.first(where: { text.hasSuffix($0.0) }) {
            number = number.dropLast(suffix.count)
            scale = factor
        }
        // Digits and one optional point only: no sign, no exponent, no "inf" or "nan".
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.filter({ $0 == "." }).count <= 1, let value = Double(number), value > 0 else { return nil }
        let nanoseconds = value * scale * 1e9
        guard nanoseconds >= 1, nanoseconds < Double(Int64.max) else { return nil }
        duration = .nanoseconds(Int64(nanoseconds))
    }

    var description: String { duration.argumentText }

    var defaultValueDescription: String { description }
}

extension Duration {
    /// `10s`, `500ms`, `1.5s`: the way `DurationArgument` reads it back.
    var argumentText: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds)s" }
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        if seconds == 0, milliseconds.rounded() == milliseconds { return "\(Int64(milliseconds))ms" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18)s"
    }
}
