public import Logging
import Synchronization

/// One issuer's signing keys, shared by every connection and event loop (SPEC §6
/// "JWKS cache").
///
/// Read path (every request): one load of `generation`, an atomic written only when the
/// keys change. Each verifying thread keeps its own view of the snapshot (`PoolKeys`) and
/// takes the snapshot again, under a mutex held for nothing else, only when the generation
/// has moved — so the event loops share no written memory here. Write path: a fetch
/// builds a new snapshot off the event loops and swaps it in.
///
/// Fetches: at start-up, every `refreshInterval` in the background (so a removed key stops
/// being trusted), and for an unknown kid at most once per `minRefresh` — failed fetches
/// count, and concurrent callers share the one fetch in flight (SPEC §6 step 4). A failed
/// fetch, or a document with no usable key, keeps the old keys.
public final class JWKSCache: Sendable {
    /// The exact `iss` of this pool's tokens.
    public let issuer: String
    /// Where its keys are published; never taken from a token.
    public let jwksURL: String
    private let source: JWKSSource
    private let minRefresh: Duration
    private let refreshInterval: Duration
    private let clock: VerifierClock
    private let logger: Logger

    /// The keys in use. Immutable; replaced whole.
    final class Snapshot: Sendable {
        let set: JWKSet?
        let byKid: [String: RSAPublicKey]
        let generation: UInt64

        init(set: JWKSet?, generation: UInt64) {
            self.set = set
            self.generation = generation
            var byKid: [String: RSAPublicKey] = [:]
            for entry in set?.entries ?? [] { byKid[entry.kid] = entry.key }
            self.byKid = byKid
        }
    }

    private struct FetchState {
        var inFlight: Task<Void, Never>?
        var lastAttempt: Duration?
        var lastRefreshUnix: Int64 = 0
        var lastError = ""
        var fetches = 0
        var succeeded = 0
        var failed = 0
        var background: Task<Void, Never>?
        var stopped = false
    }

    private let current: Mutex<Snapshot>
    /// Mirrors `current.generation`, stored after the snapshot is: a thread that reads a
    /// new value and then takes the snapshot gets that generation or a later one.
    private let generationCounter = Atomic<UInt64>(0)
    private let state = Mutex(FetchState())

    init(pool: TrustedPool, fetcher: any JWKSFetcher, minRefresh: Duration, refreshInterval: Duration,
         clock: VerifierClock, logger: Logger) {
        self.issuer = pool.issuer
        self.jwksURL = pool.jwksURL
        self.source = JWKSSource(url: pool.jwksURL, fetcher: fetcher)
        self.minRefresh = minRefresh
        self.refreshInterval = refreshInterval
        self.clock = clock
        self.logger = logger
        self.current = Mutex(Snapshot(set: nil, generation: 0))
    }

    // MARK: read path

    /// The keys in use now. Takes the mutex: each thread calls it only when `generation`
    /// has moved since its last call (`PoolKeys.update`).
    func snapshot() -> Snapshot { current.withLock { $0 } }

    /// Changes whenever the set of keys changes (not on a refresh that finds the same keys).
    var generation: UInt64 { generationCounter.load(ordering: .acquiring) }

    public var keyCount: Int { current.withLock { $0.byKid.count } }

    public var status: PoolKeyStatus {
        let keys = keyCount
        return state.withLock { s in
            PoolKeyStatus(issuer: issuer, keys: keys, lastRefreshUnix: s.lastRefreshUnix, lastError: s.lastError)
        }
    }

    /// How many fetches have been started; for tests and metrics.
    public var fetchCount: Int { state.withLock { $0.fetches } }

    /// Fetches finished so far, by outcome (a document with no usable key is a failure);
    /// for metrics, read when scraped.
    public var fetchOutcomes: (succeeded: Int, failed: Int) { state.withLock { ($0.succeeded, $0.failed) } }

    // MARK: fetching

    /// Fetches now (or joins the fetch in flight) and returns when it is done.
    public func refresh() async {
        await fetch(onDemand: false)?.value
    }

    /// For an unknown kid (SPEC §6 step 4): the fetch to wait for — the one in flight, or a
    /// new one if the last attempt is at least `minRefresh` old — or nil when rate-limited.
    /// Synchronous, so a flood of made-up kids is refused on the event loop at no cost.
    func refreshForUnknownKey() -> Task<Void, Never>? {
        fetch(onDemand: true)
    }

    private func fetch(onDemand: Bool) -> Task<Void, Never>? {
        let now = clock.monotonic()
        return state.withLock { s -> Task<Void, Never>? in
            if let running = s.inFlight { return running }
            if s.stopped { return nil }
            if onDemand, let last = s.lastAttempt, now - last < minRefresh { return nil }
            s.lastAttempt = now
            s.fetches += 1
            let task = Task { await self.performFetch() }
            s.inFlight = task
            return task
        }
    }

    private func performFetch() async {
        let outcome: Result<JWKSet, JWKSSource.FetchError>
        do {
            let body = try await source.fetch()
            let previous = current.withLock { $0.set }
            do {
                let set = try JWKSet(json: body, reusing: previous)
                outcome = set.entries.isEmpty
                    ? .failure(.init(description: "JWKS has no usable RSA signing key (skipped: \(set.skipped.joined(separator: ", ")))"))
                    : .success(set)
            } catch {
                outcome = .failure(.init(description: error.reason))
            }
        } catch {
            outcome = .failure(error)
        }

        switch outcome {
        case .success(let set):
            current.withLock { snapshot in
                if let old = snapshot.set, old.sameKeys(as: set) { return }
                let next = snapshot.generation &+ 1
                snapshot = Snapshot(set: set, generation: next)
                generationCounter.store(next, ordering: .releasing)
            }
            let now = clock.unixSeconds()
            state.withLock { s in
                s.lastRefreshUnix = now; s.lastError = ""; s.inFlight = nil; s.succeeded += 1
            }
            logger.debug("jwks refreshed", metadata: [
                "issuer": "\(issuer)", "keys": "\(set.entries.count)", "skipped": "\(set.skipped.count)",
            ])
        case .failure(let error):
            state.withLock { s in
                s.lastError = error.description; s.inFlight = nil; s.failed += 1
            }
            logger.warning("jwks refresh failed; keeping the previous keys", metadata: [
                "issuer": "\(issuer)", "error": "\(error.description)",
            ])
        }
    }

    // MARK: lifecycle

    /// First fetch, then a background refresh every `refreshInterval` (sooner, from
    /// `minRefresh` doubling, while the last attempt failed).
    func start() async {
        await refresh()
        state.withLock { s in
            guard s.background == nil, !s.stopped else { return }
            s.background = Task { await self.backgroundLoop() }
        }
    }

    private func backgroundLoop() async {
        var retry = max(minRefresh, .seconds(1))
        while !Task.isCancelled {
            let failing = state.withLock { !$0.lastError.isEmpty }
            let wait = failing ? min(retry, refreshInterval) : refreshInterval
            retry = failing ? min(retry * 2, refreshInterval) : max(minRefresh, .seconds(1))
            do { try await Task.sleep(for: wait) } catch { return }
            await refresh()
        }
    }

    /// Stops background refreshes and cancels a fetch in flight; returns once both have
    /// ended, so no fetch outlives the service that owns the cache.
    func shutdown() async {
        let (background, fetch) = state.withLock { s -> (Task<Void, Never>?, Task<Void, Never>?) in
            s.stopped = true
            defer { s.background = nil }
            return (s.background, s.inFlight)
        }
        background?.cancel()
        fetch?.cancel()
        await background?.value
        await fetch?.value
    }
}
