@testable import AuthRPC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `LoopFairness`: waiting connections take their turns in order, and the loop polls for
/// other connections' I/O between slices however many turns are waiting.
final class LoopFairnessTests: XCTestCase {
    /// Records the tick each turn ran in, counted by the group's metrics delegate.
    private struct TickCounter: NIOEventLoopMetricsDelegate {
        let ticks: NIOLockedValueBox<Int>
        let fairness = LoopTicks()
        func processedTick(info: NIOEventLoopTickInfo) {
            ticks.withLockedValue { $0 += 1 }
            fairness.processedTick(info: info)
        }
    }

    func testTurnsRunInOrderWithAPollBetweenSlices() throws {
        let ticks = NIOLockedValueBox(0)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1, metricsDelegate: TickCounter(ticks: ticks))
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        // Let the loop end a tick, so LoopFairness knows it is told about ticks. A task
        // submitted while the loop still runs tasks joins the same tick, hence the pause.
        while ticks.withLockedValue({ $0 }) == 0 {
            try loop.submit {}.wait()
            usleep(1000)
        }

        let turns = 20
        let ran = NIOLockedValueBox<[(turn: Int, tick: Int)]>([])
        let done = loop.makePromise(of: Void.self)
        try loop.submit {
            let fairness = try XCTUnwrap(LoopFairness.current)
            for turn in 0..<turns {
                fairness.enqueue({
                    // Each turn takes longer than a slice, as a connection handling a
                    // flood's frames might.
                    let end = NIODeadline.now() + LoopFairness.slice * 2
                    while NIODeadline.now() < end {}
                    let tick = ticks.withLockedValue { $0 }
                    ran.withLockedValue { $0.append((turn, tick)) }
                    if turn == turns - 1 { done.succeed() }
                }, on: loop)
            }
        }.wait()
        try done.futureResult.wait()

        let record = ran.withLockedValue { $0 }
        XCTAssertEqual(record.map(\.turn), Array(0..<turns), "turns run in the order they were queued")
        // Every turn outlasts the slice, so the loop must have finished its tick (and
        // polled) between any two of them.
        XCTAssertEqual(Set(record.map(\.tick)).count, turns, "one slice per tick: \(record.map(\.tick))")
    }

    func testWithoutTickReportsTurnsRunAtOnce() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let count = NIOLockedValueBox(0)
        try loop.submit {
            let fairness = try XCTUnwrap(LoopFairness.current)
            for _ in 0..<5 { fairness.enqueue({ count.withLockedValue { $0 += 1 } }, on: loop) }
        }.wait()
        try loop.submit {}.wait()
        XCTAssertEqual(count.withLockedValue { $0 }, 5)
    }
}
