import AuthRPC
import Logging
import ServiceLifecycle
import Synchronization
import XCTest

/// Background work has an owner: it runs while its `ServiceGroup` runs, and shutdown
/// cancels what is left, waits for it, and refuses anything new.
final class BackgroundWorkTests: XCTestCase {
    func testJobsRunUntilShutdownThenAreCancelledAndNewOnesRefused() async throws {
        let work = BackgroundWork()
        let group = ServiceGroup(configuration: .init(services: [.init(service: work)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }

        let (ran, ranSignal) = AsyncStream.makeStream(of: Void.self)
        XCTAssertTrue(work.submit { ranSignal.yield() })
        var signals = ran.makeAsyncIterator()
        _ = await signals.next()

        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let sawCancellation = Atomic<Bool>(false)
        XCTAssertTrue(work.submit {
            startedSignal.yield()
            do { try await Task.sleep(for: .seconds(3600)) } catch { sawCancellation.store(true, ordering: .relaxed) }
        })
        var startedSignals = started.makeAsyncIterator()
        _ = await startedSignals.next()

        await group.triggerGracefulShutdown()
        // Returns at once: the hour-long job is cancelled, not waited out.
        try await running.value
        XCTAssertTrue(sawCancellation.load(ordering: .relaxed))
        XCTAssertFalse(work.submit {}, "after shutdown nothing new is taken")
    }
}
