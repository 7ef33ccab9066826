import CCurl
import Foundation
import Synchronization

/// `HTTPTransport` on libcurl's multi interface (SPEC §1, §5).
///
/// **One thread, one multi handle.** Every call becomes an easy handle added to a
/// single `CURLM` driven by one dedicated thread (`authrpc-curl`), never a NIO
/// event-loop thread. A multi handle drives thousands of concurrent transfers
/// with `poll`, so 256 hung Cognito calls cost 256 sockets and a few kilobytes,
/// not 256 blocked threads, and cannot starve anyone else's calls.
///
/// **Connection reuse.** A multi handle owns one connection cache and one DNS
/// cache shared by all easy handles added to it, so keep-alive reuse and cached
/// lookups come for free; a `CURLSH` share handle (and its lock callbacks) would
/// only be needed if several threads ran their own easy handles, which we never do.
/// Finished easy handles are `curl_easy_reset` and kept (up to `maxIdleHandles`)
/// to save their setup on the next call.
///
/// **Ownership.** The multi handle, every easy handle and every header list are
/// created and freed on the loop thread only, each by exactly one owner:
/// `EasyHandle` (easy handle + error buffer, freed in `deinit`), `Transfer`
/// (its header `curl_slist`, freed in `finish`), `CurlMultiLoop` (the multi
/// handle, freed when the loop thread exits).
///
/// Only `http` and `https` are allowed and redirects are not followed. Call
/// `shutdown()` once at process exit (or let the last reference go): in-flight
/// calls then fail with `.transport`.
public final class CurlHTTPTransport: HTTPTransport {
    private let loop: CurlMultiLoop

    /// Starts the loop thread. Create one per process and share it.
    public init(maxIdleHandles: Int = 64) {
        _ = curlGlobalInit
        loop = CurlMultiLoop(maxIdleHandles: maxIdleHandles)
    }

    deinit { loop.shutdown() }

    /// Fails what is in flight, stops the loop thread and frees every curl handle.
    /// Idempotent; later calls fail at once with `.transport`.
    public func shutdown() { loop.shutdown() }

    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        if Task.isCancelled { throw .transport("cancelled") }
        let loop = self.loop
        let transfer = Transfer(request: request)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.continuation = continuation  // before submit: the lock publishes it
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        return try result.get()
    }
}

/// `curl_global_init` exactly once per process (Swift globals initialise once,
/// thread-safely). Never paired with `curl_global_cleanup`: other code in the
/// process may still use curl at exit, and the OS reclaims it.
private let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// One call in flight. Its mutable state is touched only on the loop thread
/// (callbacks included), except `cancelled`, which is guarded by the loop's queue mutex.
private final class Transfer: @unchecked Sendable {
    let request: HTTPRequest
    var continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>?
    var cancelled = false  // under CurlMultiLoop.queue
    var handle: EasyHandle?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var tooLarge = false

    init(request: HTTPRequest) { self.request = request }

    /// Frees the header list and answers the caller; called exactly once.
    func finish(_ result: Result<HTTPResponse, HTTPError>) {
        if let list = headerList { curl_slist_free_all(list); headerList = nil }
        continuation?.resume(returning: result)
        continuation = nil
    }

    deinit { assert(headerList == nil && continuation == nil, "transfer dropped unanswered") }
}

/// An easy handle and its error buffer, one owner, freed together.
private final class EasyHandle {
    let curl: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let curl = curl_easy_init() else { return nil }
        self.curl = curl
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    var errorText: String { String(cString: errorBuffer) }

    deinit {
        curl_easy_cleanup(curl)
        errorBuffer.deallocate()
    }
}

/// The multi handle and the thread that drives it.
private final class CurlMultiLoop: @unchecked Sendable {
    /// What other threads hand the loop thread.
    private struct Queue {
        var submitted: [Transfer] = []
        var cancelRequests: [Transfer] = []
        var stopping = false
    }
    private let queue = Mutex(Queue())

    private let multi: UnsafeMutableRawPointer
    private let exited = DispatchSemaphore(value: 0)
    private let maxIdleHandles: Int
    // Loop thread only.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var idle: [EasyHandle] = []

    init(maxIdleHandles: Int) {
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        self.maxIdleHandles = maxIdleHandles
        let thread = Thread { [self] in run() }
        thread.name = "authrpc-curl"
        thread.start()
    }

    // `curl_multi_wakeup` is called only under `queue` and only while `stopping` is
    // false (or in the section that sets it): once the loop thread has seen
    // `stopping`, nobody can touch the multi handle again, so freeing it is safe.

    func submit(_ transfer: Transfer) {
        let multi = self.multi
        let accepted = queue.withLock { q -> Bool in
            if q.stopping { return false }
            q.submitted.append(transfer)
            curl_multi_wakeup(multi)
            return true
        }
        if !accepted { transfer.finish(.failure(.transport("HTTP transport is shut down"))) }
    }

    func cancel(_ transfer: Transfer) {
        let multi = self.multi
        queue.withLock { q in
            if q.stopping { return }
            transfer.cancelled = true
            q.cancelRequests.append(transfer)
            curl_multi_wakeup(multi)
        }
    }

    func shutdown() {
        let multi = self.multi
        let wait = queue.withLock { q -> Bool in
            if q.stopping { return false }
            q.stopping = true
            curl_multi_wakeup(multi)
            return true
        }
        if wait { exited.wait() }
    }

    // MARK: loop thread

    private func run() {
        var running: Int32 = 0
        while true {
            let (new, cancels, stop) = queue.withLock { q -> ([Transfer], [Transfer], Bool) in
                defer { q.submitted.removeAll(); q.cancelRequests.removeAll() }
                return (q.submitted, q.cancelRequests, q.stopping)
            }
            if stop {
                // `stopping` went up before these reached the queue's end; nobody can add more.
                for transfer in new { transfer.finish(.failure(.transport("HTTP transport is shut down"))) }
                break
            }
            for transfer in new { start(transfer) }
            for transfer in cancels { abort(transfer, .transport("cancelled")) }
            curl_multi_perform(multi, &running)
            collectFinished()
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for transfer in Array(active.values) { abort(transfer, .transport("HTTP transport is shut down")) }
        idle.removeAll()
        curl_multi_cleanup(multi)
        exited.signal()
    }

    private func start(_ transfer: Transfer) {
        let cancelled = queue.withLock { _ in transfer.cancelled }
        if cancelled { return transfer.finish(.failure(.transport("cancelled"))) }
        guard let handle = idle.popLast() ?? EasyHandle() else {
            return transfer.finish(.failure(.transport("curl_easy_init failed")))
        }
        transfer.handle = handle
        if let error = configure(handle, for: transfer) {
            recycle(handle)
            transfer.handle = nil
            return transfer.finish(.failure(error))
        }
        let added = curl_multi_add_handle(multi, handle.curl)
        guard added == CURLM_OK else {
            recycle(handle)
            transfer.handle = nil
            return transfer.finish(.failure(.transport("curl_multi_add_handle: \(String(cString: curl_multi_strerror(added)))")))
        }
        active[handle.curl] = transfer
    }

    /// Sets every option of one call; a non-nil result means the call was never started.
    private func configure(_ handle: EasyHandle, for transfer: Transfer) -> HTTPError? {
        let curl = handle.curl
        let request = transfer.request
        handle.errorBuffer[0] = 0
        var ok = true
        func check(_ code: CURLcode) { if code != CURLE_OK { ok = false } }

        check(authrpc_curl_setopt_ptr(curl, CURLOPT_ERRORBUFFER, handle.errorBuffer))
        check(authrpc_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1))
        check(request.url.withCString { authrpc_curl_setopt_ptr(curl, CURLOPT_URL, $0) })
        check("http,https".withCString { authrpc_curl_setopt_ptr(curl, CURLOPT_PROTOCOLS_STR, $0) })
        check(authrpc_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout)))
        check(authrpc_curl_setopt_long(curl, CURLOPT_TIMEOUT_MS, milliseconds(request.timeout)))
        check(authrpc_curl_setopt_off(curl, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxResponseBytes)))
        check(authrpc_curl_setopt_long(curl, CURLOPT_TCP_KEEPALIVE, 1))

        switch request.method {
        case .get:
            check(authrpc_curl_setopt_long(curl, CURLOPT_HTTPGET, 1))
        case .post:
            check(authrpc_curl_setopt_long(curl, CURLOPT_POST, 1))
            check(authrpc_curl_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            // COPYPOSTFIELDS: curl keeps its own copy, so no Swift buffer must outlive the call.
            check(request.body.withUnsafeBufferPointer { buffer in
                buffer.isEmpty
                    ? "".withCString { authrpc_curl_setopt_ptr(curl, CURLOPT_COPYPOSTFIELDS, $0) }
                    : authrpc_curl_setopt_ptr(curl, CURLOPT_COPYPOSTFIELDS, buffer.baseAddress)
            })
        }

        var lines = request.headers.map { "\($0.name): \($0.value)" }
        if request.method == .post { lines.append("Expect:") }  // no 100-continue round trip
        for line in lines {
            if line.contains(where: { $0 == "\r" || $0 == "\n" }) { return .transport("header contains a line break") }
            guard let list = curl_slist_append(transfer.headerList, line) else { return .transport("out of memory") }
            transfer.headerList = list
        }
        if let list = transfer.headerList { check(authrpc_curl_setopt_ptr(curl, CURLOPT_HTTPHEADER, list)) }

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        check(authrpc_curl_setopt_write(curl) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            if transfer.body.count + n > transfer.request.maxResponseBytes {
                transfer.tooLarge = true
                return 0  // curl aborts with CURLE_WRITE_ERROR
            }
            if n > 0 { transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n)) }
            return n
        })
        check(authrpc_curl_setopt_ptr(curl, CURLOPT_WRITEDATA, context))
        check(authrpc_curl_setopt_header(curl) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            guard let data, n > 0 else { return n }
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
            transfer.addHeaderLine(line)
            return n
        })
        check(authrpc_curl_setopt_ptr(curl, CURLOPT_HEADERDATA, context))
        return ok ? nil : .transport("curl rejected an option (URL: scheme not http or https?)")
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard authrpc_curl_msg_is_done(message) != 0, let curl = message.pointee.easy_handle,
                  let transfer = active[curl] else { continue }
            let code = authrpc_curl_msg_result(message)
            var status = 0
            authrpc_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
            let result = outcome(code, status: status, transfer: transfer)
            detach(transfer)
            transfer.finish(result)
        }
    }

    private func outcome(_ code: CURLcode, status: Int, transfer: Transfer) -> Result<HTTPResponse, HTTPError> {
        switch code {
        case CURLE_OK:
            return .success(HTTPResponse(status: status, headers: transfer.headers, body: transfer.body))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failure(.couldNotConnect(describe(code, transfer)))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut)
        case CURLE_FILESIZE_EXCEEDED:
            return .failure(.bodyTooLarge(limit: transfer.request.maxResponseBytes))
        case CURLE_WRITE_ERROR where transfer.tooLarge:
            return .failure(.bodyTooLarge(limit: transfer.request.maxResponseBytes))
        default:
            return .failure(.transport(describe(code, transfer)))
        }
    }

    private func describe(_ code: CURLcode, _ transfer: Transfer) -> String {
        let detail = transfer.handle?.errorText ?? ""
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    /// Takes a running transfer out of the multi handle and answers it.
    private func abort(_ transfer: Transfer, _ error: HTTPError) {
        guard let handle = transfer.handle, active[handle.curl] != nil else { return }
        detach(transfer)
        transfer.finish(.failure(error))
    }

    private func detach(_ transfer: Transfer) {
        guard let handle = transfer.handle else { return }
        curl_multi_remove_handle(multi, handle.curl)
        active[handle.curl] = nil
        transfer.handle = nil
        recycle(handle)
    }

    private func recycle(_ handle: EasyHandle) {
        guard idle.count < maxIdleHandles else { return }  // dropped: deinit frees it
        curl_easy_reset(handle.curl)
        idle.append(handle)
    }
}

extension Transfer {
    /// One header line from curl (status lines included): a new status line means
    /// a new response (after `100 Continue`), so earlier headers are dropped.
    fileprivate func addHeaderLine(_ line: String) {
        if line.hasPrefix("HTTP/") { headers.removeAll(); return }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        if !name.isEmpty { headers[name] = value }
    }
}

/// curl treats 0 as "no timeout", so anything shorter than a millisecond becomes 1.
private func milliseconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    let ms = seconds.multipliedReportingOverflow(by: 1000)
    if ms.overflow || seconds > Int64(Int32.max) { return Int(Int32.max) }
    return max(1, Int(ms.partialValue + attoseconds / 1_000_000_000_000_000))
}
