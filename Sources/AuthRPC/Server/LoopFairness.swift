import NIOCore
import NIOPosix

/// One event loop's queue of connections waiting for another turn, so that connections
/// flooding a loop with pipelined frames share it with everyone else's I/O.
///
/// A connection handles a bounded number of frames per turn (`ConnectionHandler`); what
/// is left waits here. One drain task per loop gives waiting connections their turns in
/// arrival order for at most `slice`, then lets the loop poll for I/O before the next
/// slice. A request from any other connection therefore waits at most about one slice
/// however many connections flood the loop, and is handled as soon as it is read.
///
/// Why not one task per connection: NIO runs queued tasks, and scheduled tasks that fall
/// due meanwhile, until none are left before it polls again, so hundreds of flooding
/// connections each queueing their next turn would keep the loop from reading anyone
/// else's requests for tens of milliseconds. The drain task sees NIO's ticks through
/// `LoopTicks`, the event-loop group's metrics delegate: when it falls due inside the
/// tick that ran its last slice (the loop has not polled since), it waits a little
/// longer instead of running. Without the delegate (a group made elsewhere, as in tests)
/// turns run at once.
///
/// Everything here runs on the loop's own thread: one instance per thread, no lock.
final class LoopFairness {
    /// How long one drain runs before the loop polls again: about what a normal client's
    /// request may wait behind a flood.
    static let slice = TimeAmount.microseconds(50)
    /// How far ahead the next drain is scheduled, so that it cannot fall due before NIO's
    /// task loop has run dry and polled.
    static let pollGap = TimeAmount.microseconds(5)
    /// The most the gap grows to (see `gap`).
    static let maxPollGap = TimeAmount.milliseconds(1)

    /// Each thread sees only its own instance, which never leaves it: hence unchecked.
    private nonisolated(unsafe) static let perThread = ThreadSpecificVariable<LoopFairness>()

    /// This thread's queue, made on first use.
    static var current: LoopFairness? {
        if let mine = perThread.currentValue { return mine }
        let made = LoopFairness()
        perThread.currentValue = made
        return made
    }

    private var ticksEnded: UInt64 = 0
    private var observesTicks = false
    private var waiting = CircularBuffer<() -> Void>(initialCapacity: 16)
    private var drainQueued = false
    /// `ticksEnded` when the last slice finished: unchanged means no poll since.
    private var ticksAtLastSlice: UInt64 = .max
    /// The gap to the next drain. A drain that finds no poll since the last slice means
    /// the gap ran out before NIO's task loop got back to its scheduled tasks (a slow or
    /// preempted thread: under AddressSanitizer it always does); left at 5 µs the drain
    /// would fall due again within the same tick, for ever, and the loop would never poll.
    /// So the gap doubles each time, up to `maxPollGap`, and is back to `pollGap` after a
    /// slice.
    private var gap = LoopFairness.pollGap

    fileprivate func tickEnded() {
        ticksEnded &+= 1
        observesTicks = true
    }

    /// Runs `turn` once the connections queued before it had theirs.
    func enqueue(_ turn: @escaping () -> Void, on loop: any EventLoop) {
        let loop = loop.assumeIsolated()
        guard observesTicks else {
            loop.execute(turn)
            return
        }
        waiting.append(turn)
        guard !drainQueued else { return }
        drainQueued = true
        loop.execute { self.drain(on: loop) }
    }

    /// The one drain task of this loop: `drainQueued` stays true while it runs, so turns
    /// that queue further turns do not start a second one.
    private func drain(on loop: NIOIsolatedEventLoop) {
        if ticksEnded != ticksAtLastSlice {
            let end = NIODeadline.now() + Self.slice
            repeat {
                waiting.removeFirst()()
            } while !waiting.isEmpty && NIODeadline.now() < end
            ticksAtLastSlice = ticksEnded
            gap = Self.pollGap
        } else {
            gap = min(gap * 2, Self.maxPollGap)
        }
        guard !waiting.isEmpty else {
            drainQueued = false
            return
        }
        loop.scheduleTask(in: gap) { self.drain(on: loop) }
    }
}

/// The event-loop group's metrics delegate: tells each loop's `LoopFairness` that a tick
/// ended. Called on the loop's own thread after every tick; it only counts.
public struct LoopTicks: NIOEventLoopMetricsDelegate {
    public init() {}

    public func processedTick(info: NIOEventLoopTickInfo) {
        LoopFairness.current?.tickEnded()
    }
}
