import ServiceLifecycle

/// Where the service's work off the event loops runs: Cognito calls, waits for a JWKS
/// refetched for an unknown kid, the deferred summaries of rate-limited warnings, giving
/// freed memory back. One task group that the `ServiceGroup` runs, instead of tasks
/// nobody owns, so shutdown knows what is still running and ends it.
///
/// Listed before the server in the group, it is shut down after it: by then the server
/// has drained and answered everything (SPEC §3), so what is still running here has no
/// one left to answer. It is cancelled at once (a Cognito call sees that and stops).
public final class BackgroundWork: Service, Sendable {
    public typealias Job = @Sendable () async -> Void

    private let jobs: AsyncStream<Job>
    private let submissions: AsyncStream<Job>.Continuation

    public init() {
        (jobs, submissions) = AsyncStream.makeStream(of: Job.self)
    }

    /// Runs `job` in the group. Returns false, and never runs it, once shutdown has
    /// begun; the caller answers for itself then.
    @discardableResult
    public func submit(_ job: @escaping Job) -> Bool {
        if case .enqueued = submissions.yield(job) { return true }
        return false
    }

    /// `Service`: runs every job submitted until a graceful shutdown, then cancels the
    /// ones still running and returns once they have ended.
    public func run() async {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                for await job in jobs { group.addTask(operation: job) }
            } onGracefulShutdown: {
                self.submissions.finish()
            }
            group.cancelAll()
        }
    }
}
