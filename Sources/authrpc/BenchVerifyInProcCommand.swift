import TokenVerification
import ArgumentParser
import AuthRPC
import Foundation
import Synchronization
import Wire

/// `authrpc bench verify-inproc`: token verifications per second on one thread, in
/// process, through `TokenVerifier` — unique tokens with the verified-token cache off
/// (parse + RSA every time) and one repeated token with it on. `scripts/bench-verify-inproc`
/// runs it next to `openssl speed rsa2048` on the same core (docs/BENCHMARKS.md).
/// With `--threads N`, N threads verify at once through the one verifier, as N event loops
/// would, and the rates are summed: what the verifier's shared state costs when several
/// cores use it (docs/BENCHMARKS.md "Multi-core").
struct BenchVerifyInProcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-inproc",
        abstract: "Measure in-process token verifications per second (unique and cached) on one thread.")

    @Option(help: "Distinct tokens to mint (each is verified many times with the cache off).")
    var tokens = 2000

    @Option(help: "Seconds to measure each case.")
    var seconds = 5.0

    @Option(help: "Which cases to run: all, unique, answer or cached (for profiling one).")
    var only = "all"

    @Option(help: "Rounds per case; the best is reported. The host may be shared and interference only slows a round down; scripts/bench-verify-inproc takes the best of 2 here as it does for openssl speed.")
    var rounds = 1

    @Option(help: "Threads verifying at once through the same verifier (each token list shared), for each case.")
    var threads = 1

    func run() async throws {
        let bench = try await InProcessBench.start()
        let mint = bench.mint, registry = bench.registry
        var config = bench.config
        config.threads = threads  // one cache share per verifying thread, as per event loop

        print("minting \(tokens) RS256 tokens…")
        let unique = (0..<tokens).map(mint.valid)
        print("token bytes: \(unique[0].utf8.count)")

        config.verifyCacheEntries = 0
        let uncached = TokenVerifier(config: config, keys: registry)
        config.verifyCacheEntries = 100_000
        let cached = TokenVerifier(config: config, keys: registry)

        // Each thread verifies its own copies of the tokens, as each request decodes its own:
        // one String shared by the threads would have its reference count written by all.
        let copies = (0..<max(threads, 1)).map { _ in unique.map { String(decoding: Array($0.utf8), as: UTF8.self) } }
        if only == "all" || only == "unique" {
            report("unique_verify_per_sec") { i, t in uncached.verify(copies[t][i % unique.count], tokenUse: .access) }
        }
        if only == "all" || only == "answer" {
            // What VerifyToken does per new token: verify, then make the claims and serialize
            // the answer once (docs/BENCHMARKS.md reports it next to the bare verification).
            report("unique_answer_per_sec") { i, t in
                uncached.verify(copies[t][i % unique.count], tokenUse: .access, prepare: VerifiedToken.prepareEncodedAnswer)
            }
        }
        if only == "all" || only == "cached" {
            // Cached by one copy of the token, looked up with others: a request's token never
            // shares storage with the cache's key. (Before the cache keyed tokens by bytes, a
            // String key shared with the lookup skipped the compare, which flattered this case.)
            _ = cached.verify(unique[0], tokenUse: .access)
            report("cached_verify_per_sec") { _, t in cached.verify(copies[t][0], tokenUse: .access) }
        }
        await bench.finish()
    }

    /// Measures `body` for `rounds` rounds; prints the best rate, and every round's.
    /// `body(i, thread)`: the `i`th verification of thread `thread` (0 with one thread).
    private func report(_ name: String, _ body: @escaping @Sendable (Int, Int) -> TokenVerifier.Outcome) {
        if threads > 1 { return reportThreads(name, body) }
        let rates = (0..<max(rounds, 1)).map { _ in measure(seconds: seconds) { body($0, 0) } }
        print("\(name): \(Int(rates.max()!))")
        if rates.count > 1 { print("\(name)_rounds: \(rates.map { String(Int($0)) }.joined(separator: " "))") }
    }

    /// Runs `body` in batches until `seconds` of this thread's CPU time have passed;
    /// verifications per CPU second. CPU time, as `openssl speed` counts it by default:
    /// on a shared core, wall time would charge us for the other processes' turns.
    private func measure(seconds: Double, _ body: (Int) -> TokenVerifier.Outcome) -> Double {
        let start = threadCPUSeconds()
        var done = 0, failures = 0
        while true {
            for _ in 0..<1000 {
                if case .verified = body(done) {} else { failures += 1 }
                done += 1
            }
            let s = threadCPUSeconds() - start
            if s >= seconds {
                if failures > 0 { print("warning: \(failures) verifications failed") }
                return Double(done) / s
            }
        }
    }

    /// `threads` threads run `body` at once for `seconds` of wall time, started together.
    /// Prints, per round, verifications per wall second (all threads) and per CPU second
    /// (all threads' CPU time), and each thread's per-CPU-second rate; the best round by
    /// wall rate first.
    private func reportThreads(_ name: String, _ body: @escaping @Sendable (Int, Int) -> TokenVerifier.Outcome) {
        var best: (wall: Double, cpu: Double, each: [Double])?
        for _ in 0..<max(rounds, 1) {
            let results = Results()
            let ready = DispatchGroup(), done = DispatchGroup(), go = DispatchSemaphore(value: 0)
            let seconds = self.seconds
            for worker in 0..<threads {
                ready.enter(); done.enter()
                Thread {
                    ready.leave()
                    go.wait()
                    let start = Self.threadCPUSeconds(), end = Date().addingTimeInterval(seconds)
                    var count = 0, failures = 0
                    while Date() < end {
                        for _ in 0..<1000 {
                            if case .verified = body(count, worker) {} else { failures += 1 }
                            count += 1
                        }
                    }
                    let cpu = Self.threadCPUSeconds() - start
                    results.all.withLock { $0.append((count, cpu, failures)) }
                    done.leave()
                }.start()
            }
            ready.wait()
            for _ in 0..<threads { go.signal() }
            done.wait()
            let all = results.all.withLock { $0 }
            let failures = all.reduce(0) { $0 + $1.failures }
            if failures > 0 { print("warning: \(failures) verifications failed") }
            let total = Double(all.reduce(0) { $0 + $1.done })
            let round = (wall: total / seconds, cpu: total / all.reduce(0) { $0 + $1.cpu },
                         each: all.map { Double($0.done) / $0.cpu })
            print("\(name)_round: wall \(Int(round.wall))/s, \(Int(round.cpu))/CPU-s,"
                  + " per thread \(round.each.map { String(Int($0)) }.joined(separator: " "))/CPU-s")
            if best == nil || round.wall > best!.wall { best = round }
        }
        print("\(name): \(Int(best!.wall))")
        print("\(name)_per_cpu_sec: \(Int(best!.cpu))")
    }

    private final class Results: Sendable {
        let all = Mutex<[(done: Int, cpu: Double, failures: Int)]>([])
    }

    private static func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    private func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }
}
