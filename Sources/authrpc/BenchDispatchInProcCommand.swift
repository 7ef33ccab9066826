import CurlHTTP
import ArgumentParser
import AuthRPC
import Foundation
import Logging
import NIOCore
import NIOPosix
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// `authrpc bench dispatch-inproc`: the server's per-request work on the VerifyToken path,
/// in process on one thread: decode the request frame, dispatch it to the service, write
/// the answer's frame. Unique tokens with the verified-token cache off, and one repeated
/// token with it on (the answer sent as bytes serialized once). Reports requests per
/// second of thread CPU time, and allocations per request when `scripts/bench-dispatch-inproc`
/// runs it with its malloc counter preloaded. No sockets: what it measures is the code
/// between the framing and the socket, the part the service protocol and the generated
/// codec are on.
struct BenchDispatchInProcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch-inproc",
        abstract: "Measure decode + dispatch + encode of VerifyToken requests per second on one thread.")

    @Option(help: "Distinct tokens for the unique case.") var tokens = 2000
    @Option(help: "Seconds to measure each case.") var seconds = 3.0
    @Option(help: "Rounds per case; the best is reported.") var rounds = 3
    @Option(help: "Which cases to run: all, repeated or unique (for profiling one).") var only = "all"

    func run() async throws {
        let bench = try await InProcessBench.start()
        var config = bench.config
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let frames = try (0..<tokens).map { i in
            ByteBuffer(bytes: try Request(id: UInt64(i + 1), body: .verifyToken(VerifyTokenRequest(
                token: bench.mint.valid(i), tokenUse: .access))).encodedBytes())
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        config.verifyCacheEntries = 0
        // Every bench token's kid is known: nothing here waits for a refetch.
        let background = BackgroundWork()
        let uncached = AuthRPCApplication.methods(config: config, transport: UnusedTransport(), keys: bench.registry, logger: logger,
                                                  background: background)
        config.verifyCacheEntries = 100_000
        let cached = AuthRPCApplication.methods(config: config, transport: UnusedTransport(), keys: bench.registry, logger: logger,
                                                  background: background)

        if only == "all" || only == "repeated" { report("repeated", cached, [frames[0]], loop) }
        if only == "all" || only == "unique" { report("unique", uncached, frames, loop) }
        await bench.finish()
    }

    private func report(_ name: String, _ dispatcher: Dispatcher, _ frames: [ByteBuffer], _ loop: any EventLoop) {
        let results = (0..<max(rounds, 1)).map { _ in measure(dispatcher, frames, loop) }
        let best = results.max { $0.perSecond < $1.perSecond }!
        print("\(name)_per_cpu_sec: \(Int(best.perSecond))")
        print("\(name)_rounds: \(results.map { String(Int($0.perSecond)) }.joined(separator: " "))")
        if let mallocs = best.mallocsPerRequest { print("\(name)_mallocs_per_request: \(String(format: "%.2f", mallocs))") }
    }

    private struct Result {
        var perSecond: Double
        var mallocsPerRequest: Double?
    }

    private func measure(_ dispatcher: Dispatcher, _ frames: [ByteBuffer], _ loop: any EventLoop) -> Result {
        var out = ByteBufferAllocator().buffer(capacity: 4096)
        var done = 0, failures = 0
        // Warm up (the verified-token cache fills, the buffer grows).
        for frame in frames.prefix(1000) { _ = handle(frame, dispatcher, loop, &out) }
        let mallocsBefore = MallocCounter.count()
        let start = threadCPUTime()
        while true {
            for _ in 0..<1000 {
                if !handle(frames[done % frames.count], dispatcher, loop, &out) { failures += 1 }
                out.clear()
                done += 1
            }
            let elapsed = threadCPUTime() - start
            if elapsed >= seconds {
                if failures > 0 { print("warning: \(failures) requests not answered OK at once") }
                let mallocs = MallocCounter.count().map { Double($0 - mallocsBefore!) / Double(done) }
                return Result(perSecond: Double(done) / elapsed, mallocsPerRequest: mallocs)
            }
        }
    }

    /// What `ConnectionHandler.handleFrame` does with one frame whose answer is immediate.
    private func handle(_ frame: ByteBuffer, _ dispatcher: Dispatcher, _ loop: any EventLoop, _ out: inout ByteBuffer) -> Bool {
        guard let request = try? Request.decode(frame) else { return false }
        guard case .now(let response) = dispatcher.dispatch(request, on: loop) else { return false }
        guard (try? response.writeFrame(into: &out)) != nil else { return false }
        return response.status == .ok
    }

    private func threadCPUTime() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }
}

/// The benchmark's JWKS is a file; nothing here calls HTTP.
private struct UnusedTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        throw .transport("no HTTP in this benchmark")
    }
}

/// The process's allocation count, when scripts/bench/malloc-count.c is preloaded.
private enum MallocCounter {
    typealias Count = @convention(c) () -> UInt64
    nonisolated(unsafe) static let function: Count? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "authrpc_malloc_count")
        .map { unsafeBitCast($0, to: Count.self) }
    static func count() -> UInt64? { function?() }
}
