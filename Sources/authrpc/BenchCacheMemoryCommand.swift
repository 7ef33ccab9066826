import TokenVerification
import ArgumentParser
import AuthRPC
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `authrpc bench cache-memory`: what one verified-token cache entry costs. Fills a
/// cache with distinct Cognito-shaped access tokens through `TokenVerifier` (as VerifyToken
/// does, answer serialized) and reports the growth of the process's resident memory per
/// entry next to what the cache counts per entry against
/// `AUTHRPC_VERIFY_CACHE_BYTES` (docs/BENCHMARKS.md).
struct BenchCacheMemoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache-memory",
        abstract: "Measure the memory one verified-token cache entry costs.")

    @Option(help: "Distinct tokens to cache (each is RSA-signed first, ~1.5 ms apiece).")
    var tokens = 10_000

    func run() async throws {
        let bench = try await InProcessBench.start()
        let mint = bench.mint
        var config = bench.config
        // One thread fills it: the whole cache is that thread's share.
        config.threads = 1
        config.verifyCacheEntries = tokens
        config.verifyCacheBytes = Int.max / 2
        let verifier = TokenVerifier(config: config, keys: bench.registry)

        let list = (0..<tokens).map(mint.valid)
        let tokenBytes = list.reduce(0) { $0 + $1.utf8.count } / tokens
        let rssBefore = residentBytes()
        var failures = 0
        for token in list {
            // A fresh copy, as a decoded request would be: the cache keeps the one it is given.
            let copy = String(decoding: Array(token.utf8), as: UTF8.self)
            if case .verified = verifier.verify(copy, tokenUse: .access, prepare: VerifiedToken.prepareEncodedAnswer) {} else { failures += 1 }
        }
        let rss = residentBytes() - rssBefore
        let (entries, counted) = verifier.cacheUsage
        withExtendedLifetime(list) {}
        await bench.finish()
        guard failures == 0, entries == tokens else {
            throw ValidationError("\(failures) verifications failed; \(entries) entries cached")
        }
        print("token_bytes: \(tokenBytes)")
        print("entries: \(entries)")
        print("rss_bytes_per_entry: \(rss / entries)")
        print("counted_bytes_per_entry: \(counted / entries)")
        print("entries_in_default_64MiB: \((64 << 20) / max(counted / entries, 1))")
    }

    private func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }
}
