import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How the verification core gets a JWKS document over the network: the service injects
/// one (libcurl, never on an event loop). It should keep to `timeout`; the core gives up
/// waiting a little after it regardless.
public protocol JWKSFetcher: Sendable {
    /// GET `url` (`http://` or `https://`): the body of a 200 answer of at most `maxBytes`,
    /// or why there is none, in words fit for a log line and Health's `last_error`.
    func fetchJWKS(url: String, timeout: Duration, maxBytes: Int) async -> Result<[UInt8], JWKSFetchFailure>
}

public struct JWKSFetchFailure: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where one pool's JWKS document comes from: `http(s)://` through the `JWKSFetcher`
/// or `file://` read directly.
/// SPEC §6: fetch timeout 3 s, body at most 64 KiB. The URL comes from configuration
/// only — never from a token.
struct JWKSSource: Sendable {
    static let timeout: Duration = .seconds(3)
    static let maxBytes = 64 * 1024

    let url: String
    let fetcher: any JWKSFetcher

    struct FetchError: Error, CustomStringConvertible {
        let description: String
    }

    func fetch() async throws(FetchError) -> [UInt8] {
        if url.hasPrefix("file://") { return try readFile() }
        let result = await withDeadline(Self.timeout + .milliseconds(500)) { [fetcher, url] in
            await fetcher.fetchJWKS(url: url, timeout: Self.timeout, maxBytes: Self.maxBytes)
        }
        switch result {
        case .none: throw FetchError(description: "timed out after 3 s")
        case .failure(let failure)?: throw FetchError(description: failure.description)
        case .success(let body)?:
            guard body.count <= Self.maxBytes else { throw FetchError(description: "body larger than 64 KiB") }
            return body
        }
    }

    /// Reads a local file, at most 64 KiB. Called from a task on Swift's global executor,
    /// never from an event loop; a local read takes microseconds.
    private func readFile() throws(FetchError) -> [UInt8] {
        var path = String(url.dropFirst("file://".count))
        if path.hasPrefix("localhost/") { path.removeFirst("localhost".count) }
        guard path.hasPrefix("/") else { throw FetchError(description: "file:// URL must hold an absolute path") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FetchError(description: "cannot open file (errno \(errno))") }
        defer { close(fd) }
        var out = [UInt8](repeating: 0, count: Self.maxBytes + 1)
        var filled = 0
        while filled < out.count {
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FetchError(description: "cannot read file (errno \(errno))")
            }
            if n == 0 { break }
            filled += n
        }
        guard filled <= Self.maxBytes else { throw FetchError(description: "file larger than 64 KiB") }
        out.removeSubrange(filled...)
        return out
    }
}

/// Runs `body`, returning nil if it has not finished within `limit`. A guard against a
/// transport that ignores its own timeout, so waiters on a shared JWKS fetch are never
/// stuck: the late body is left to finish on its own, its result dropped.
func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
    let slot = Mutex<CheckedContinuation<T?, Never>?>(nil)
    let resumeOnce: @Sendable (T?) -> Void = { value in
        slot.withLock { c in
            c?.resume(returning: value)
            c = nil
        }
    }
    return await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        slot.withLock { $0 = continuation }
        let sleeper = Mutex<Task<Void, Never>?>(nil)
        let work = Task {
            resumeOnce(await body())
            sleeper.withLock { $0?.cancel() }
        }
        let timer = Task {
            do { try await Task.sleep(for: limit) } catch { return }
            resumeOnce(nil)
            work.cancel()
        }
        sleeper.withLock { $0 = timer }
    }
}
