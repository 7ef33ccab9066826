import NIOCore
import NIOPosix

/// What an event-loop thread knows about its own ticks, so that `ConnectionHandler`'s
/// continuations share the loop with everyone else's I/O.
///
/// A connection that has used its turn queues a task to go on. NIO runs queued tasks —
/// and scheduled ones that fall due meanwhile — until none are left before it polls for
/// I/O again, so continuations that queue further continuations (hundreds of flooding
/// connections) would keep the loop from ever reading other connections' requests. Once
/// the current tick has run for longer than `slice`, a continuation is therefore
/// scheduled as far ahead as the tick has run so far: each time it falls due within the
/// same tick the tick has at least doubled, so the tick soon runs out of due work and
/// NIO polls. NIO tells when a tick ends through `LoopTicks`, the event-loop group's
/// metrics delegate; without it (a group made elsewhere, as in tests) continuations run
/// at once.
final class LoopFairness {
    static let slice = TimeAmount.milliseconds(2)

    private static let perThread = ThreadLocal { LoopFairness() }

    /// This thread's record; nil only if it could not be made.
    static var current: LoopFairness? { perThread.get() }

    private var lastTickEnd = NIODeadline.now()
    private var observesTicks = false

    fileprivate func tickEnded(at end: NIODeadline) {
        lastTickEnd = end
        observesTicks = true
    }

    /// How long a continuation queued now should wait: nil while the tick is young.
    func continuationDelay(now: NIODeadline) -> TimeAmount? {
        guard observesTicks else { return nil }
        let elapsed = now - lastTickEnd
        return elapsed > Self.slice ? elapsed : nil
    }
}

/// The event-loop group's metrics delegate: tells each loop's `LoopFairness` that a tick
/// ended. Called on the loop's own thread after every tick; it only counts.
public struct LoopTicks: NIOEventLoopMetricsDelegate {
    public init() {}

    public func processedTick(info: NIOEventLoopTickInfo) {
        LoopFairness.current?.tickEnded(at: info.endTime)
    }
}
