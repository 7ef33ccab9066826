import Foundation

/// A token-bucket rate: `burst` requests at once, refilled at `perSecond`. Written in
/// settings as `COUNT/UNIT[:BURST]` — `5/m` (five a minute, burst five), `100/s:200`;
/// `off` for no limit.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public var perSecond: Double
    public var burst: Double

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// nil with a reason for text that is not a rate; `.some(nil)` for `off`.
    public static func parse(_ text: String) -> Result<RateLimit?, RateLimitSyntaxError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "off" { return .success(nil) }
        let (rateText, burstText): (Substring, Substring?) = {
            let parts = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            return (parts[0], parts.count > 1 ? parts[1] : nil)
        }()
        let rate = rateText.split(separator: "/", omittingEmptySubsequences: false)
        guard rate.count == 2, let count = Int(rate[0]), count > 0, count <= 1_000_000 else {
            return .failure(RateLimitSyntaxError())
        }
        let seconds: Double
        switch rate[1] {
        case "s", "sec", "second": seconds = 1
        case "m", "min", "minute": seconds = 60
        case "h", "hour": seconds = 3600
        default: return .failure(RateLimitSyntaxError())
        }
        var burst = Double(count)
        if let burstText {
            guard let b = Int(burstText), b > 0, b <= 1_000_000 else { return .failure(RateLimitSyntaxError()) }
            burst = Double(b)
        }
        return .success(RateLimit(perSecond: Double(count) / seconds, burst: burst))
    }

    public var description: String {
        perSecond >= 1 ? "\(perSecond)/s:\(Int(burst))" : "\(perSecond * 60)/m:\(Int(burst))"
    }
}

public struct RateLimitSyntaxError: Error, Sendable {
    public static let expected = "COUNT/UNIT[:BURST] with UNIT s, m or h (for example 5/m or 100/s:200), or off"
}

/// One bucket of a `RateLimit`. Time is the caller's (nanoseconds of a monotonic clock),
/// so a test can drive it.
struct TokenBucket: Sendable {
    private(set) var tokens: Double
    private var updatedAt: Int64

    init(limit: RateLimit, now: Int64) {
        tokens = limit.burst
        updatedAt = now
    }

    /// Takes one token; when none is left, how long until one is (milliseconds, ≥ 1).
    mutating func take(_ limit: RateLimit, now: Int64) -> UInt32? {
        refill(limit, now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        let wait = (1 - tokens) / limit.perSecond * 1000
        return UInt32(min(max(wait.rounded(.up), 1), Double(UInt32.max)))
    }

    mutating func giveBack(_ limit: RateLimit) {
        tokens = min(limit.burst, tokens + 1)
    }

    /// Whether the bucket is full again: then it knows nothing a fresh one would not.
    mutating func isFull(_ limit: RateLimit, now: Int64) -> Bool {
        refill(limit, now: now)
        return tokens >= limit.burst
    }

    private mutating func refill(_ limit: RateLimit, now: Int64) {
        guard now > updatedAt else { return }
        tokens = min(limit.burst, tokens + Double(now - updatedAt) / 1e9 * limit.perSecond)
        updatedAt = now
    }
}
