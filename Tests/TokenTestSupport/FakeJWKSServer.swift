import Foundation
import Synchronization
import TokenVerification

/// An in-memory JWKS server, handed to the verification core as its `JWKSFetcher`: serves
/// what the test sets, counts fetches and records what each asked for, can fail, and can
/// hold every fetch until released (to line up concurrent waiters deterministically).
public final class FakeJWKSServer: JWKSFetcher {
    /// What one fetch asked for.
    public struct Fetch: Sendable, Equatable {
        public var url: String
        public var timeout: Duration
        public var maxBytes: Int

        public init(url: String, timeout: Duration, maxBytes: Int) {
            self.url = url; self.timeout = timeout; self.maxBytes = maxBytes
        }
    }

    /// Why a failing fetch fails, word for word (`JWKSFetchFailure.description`).
    public static let failureReason = "connection refused"

    private struct State {
        var body: [UInt8]
        var failing = false
        var holding = false
        var held: [CheckedContinuation<Void, Never>] = []
        var fetches: [Fetch] = []
    }
    private let state: Mutex<State>

    public init(jwks: String) { state = Mutex(State(body: Array(jwks.utf8))) }

    public var calls: Int { state.withLock { $0.fetches.count } }
    public var fetches: [Fetch] { state.withLock { $0.fetches } }
    public var urls: [String] { fetches.map(\.url) }

    /// The document later fetches get.
    public func serve(_ jwks: String) { state.withLock { $0.body = Array(jwks.utf8) } }
    public func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }
    /// Fetches from now on wait until `release()`.
    public func hold() { state.withLock { $0.holding = true } }
    public func release() {
        let waiting = state.withLock { s in
            s.holding = false
            defer { s.held = [] }
            return s.held
        }
        for w in waiting { w.resume() }
    }

    /// One fetch: recorded, held while the server holds, then the document or the failure.
    /// Also what the service's tests answer over their HTTP transport.
    public func answer(_ fetch: Fetch) async -> Result<[UInt8], JWKSFetchFailure> {
        let mustWait = state.withLock { s in
            s.fetches.append(fetch)
            return s.holding
        }
        if mustWait {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if s.holding { s.held.append(c); return false }
                    return true
                }
                if resumeNow { c.resume() }
            }
        }
        let (body, failing) = state.withLock { ($0.body, $0.failing) }
        return failing ? .failure(JWKSFetchFailure(Self.failureReason)) : .success(body)
    }

    public func fetchJWKS(url: String, timeout: Duration, maxBytes: Int) async -> Result<[UInt8], JWKSFetchFailure> {
        await answer(Fetch(url: url, timeout: timeout, maxBytes: maxBytes))
    }
}

/// A JWKS in a temp file, served as `file://`.
public final class JWKSFile: Sendable {
    public let path: String
    public var url: String { "file://" + path }

    public init(_ jwks: String) {
        path = NSTemporaryDirectory() + "authrpc-jwks-\(UUID().uuidString).json"
        write(jwks)
    }

    public func write(_ jwks: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(jwks.utf8))
    }

    public func delete() { try? FileManager.default.removeItem(atPath: path) }
}
