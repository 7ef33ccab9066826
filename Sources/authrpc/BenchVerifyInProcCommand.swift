import TokenVerification
import ArgumentParser
import AuthRPC
import Foundation
import Wire

/// `authrpc bench verify-inproc`: token verifications per second on one thread, in
/// process, through `TokenVerifier` — unique tokens with the verified-token cache off
/// (parse + RSA every time) and one repeated token with it on. `scripts/bench-verify-inproc`
/// runs it next to `openssl speed rsa2048` on the same core (docs/BENCHMARKS.md).
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

    func run() async throws {
        let bench = try await InProcessBench.start()
        let mint = bench.mint, registry = bench.registry
        var config = bench.config

        print("minting \(tokens) RS256 tokens…")
        let unique = (0..<tokens).map(mint.valid)
        print("token bytes: \(unique[0].utf8.count)")

        config.verifyCacheEntries = 0
        let uncached = TokenVerifier(config: config, keys: registry)
        config.verifyCacheEntries = 100_000
        let cached = TokenVerifier(config: config, keys: registry)

        if only == "all" || only == "unique" {
            report("unique_verify_per_sec") { i in uncached.verify(unique[i % unique.count], tokenUse: .access) }
        }
        if only == "all" || only == "answer" {
            // What VerifyToken does per new token: verify, then make the claims and serialize
            // the answer once (docs/BENCHMARKS.md reports it next to the bare verification).
            report("unique_answer_per_sec") { i in
                uncached.verify(unique[i % unique.count], tokenUse: .access, prepare: VerifiedToken.prepareEncodedAnswer)
            }
        }
        if only == "all" || only == "cached" {
            let repeated = unique[0]
            report("cached_verify_per_sec") { _ in cached.verify(repeated, tokenUse: .access) }
        }
        await bench.finish()
    }

    /// Measures `body` for `rounds` rounds; prints the best rate, and every round's.
    private func report(_ name: String, _ body: (Int) -> TokenVerifier.Outcome) {
        let rates = (0..<max(rounds, 1)).map { _ in measure(seconds: seconds, body) }
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

    private func threadCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }
}
