import Synchronization

/// Sent down a connection's pipeline when the server begins a graceful shutdown: stop
/// reading, answer what is in flight, then close.
struct DrainEvent: Sendable {}

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
