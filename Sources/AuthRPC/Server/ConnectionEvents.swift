import Synchronization

// The drain itself is NIO's `ChannelShouldQuiesceEvent`: stop taking new work, answer
// what is in flight, then close.

/// Sent when the shutdown grace is over: what is still unanswered is answered
/// `UNAVAILABLE` / `ShuttingDown` at once, flushed, and the connection closes.
struct GraceOverEvent: Sendable {
    let tally: ShutdownTally
}

/// How many requests the end of the grace answered `ShuttingDown`, over all
/// connections, for the one log line that says so.
final class ShutdownTally: Sendable {
    private let answered = Atomic<Int>(0)

    func record(answered count: Int) {
        answered.add(count, ordering: .relaxed)
    }

    var total: Int { answered.load(ordering: .relaxed) }
}
