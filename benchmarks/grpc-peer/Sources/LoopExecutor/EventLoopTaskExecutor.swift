public import NIOCore

/// One NIO event loop as a Swift `TaskExecutor`, for `withTaskExecutorPreference`: every task
/// started under it (child tasks inherit the preference) runs its jobs on that loop's
/// thread, and a hop to the generic executor (the `hop_to_executor` at the start and after
/// every `await` of a nonisolated async function) continues in place instead of being
/// enqueued, because the job already runs "on the generic executor, preferring this loop".
///
/// Why not `NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()`:
/// with it, NIO runs each global job *on the event loop as a serial executor*
/// (`runSynchronously(on: loop.asUnownedSerialExecutor())`), so the runtime sees every hop
/// to the generic executor as a switch between two different executors and enqueues the
/// task again, on the same loop: measured, 117 `swift_task_switch` per gRPC call, every one
/// an event-loop job (docs/BENCHMARKS.md). Why not Swift's own global executor: then the
/// handler's tasks run on Swift's thread pool and every exchange with the event loop
/// (each read and each write of the call) is a wakeup of the other thread.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let loop: any EventLoop

    public init(_ loop: any EventLoop) { self.loop = loop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
