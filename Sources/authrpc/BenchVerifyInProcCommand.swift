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

    @Option(help: "Which cases to run: both, unique or cached (for profiling one).")
    var only = "both"

    func run() async throws {
        // A kid shaped like Cognito's (44 characters of base64).
        let signer = try DevTokenSigner(kid: "Xq2mF3vN8pL0rT6wY1zA4bC7dE9gH5jK2mN8pQ3sU0=")
        let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_BenchPool1"
        let clientID = "benchclient1234567890"
        let path = NSTemporaryDirectory() + "authrpc-bench-jwks-\(getpid()).json"
        guard FileManager.default.createFile(atPath: path, contents: Data(DevTokenSigner.jwksJSON([signer]).utf8)) else {
            throw ValidationError("cannot write \(path)")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }

        var config = ServiceConfig()
        config.pools = [PoolConfig(poolID: "us-east-1_BenchPool1", region: "us-east-1", issuer: issuer, jwksURL: "file://" + path)]
        config.clientIDs = [clientID]
        let registry = JWKSRegistry(config: config, transport: NoHTTP())
        await registry.start()
        defer { Task { await registry.shutdown() } }
        guard registry.hasKeysForEveryPool else { throw ValidationError("JWKS did not load: \(registry.poolStatuses())") }

        // Cognito-shaped access tokens (~1 KB), each with its own jti.
        let now = Int64(Date().timeIntervalSince1970)
        func payload(_ i: Int) -> String {
            #"{"sub":"5f1e0c1a-0000-4000-8000-\#(String(format: "%012d", i))","cognito:groups":["admins","readers"],"iss":"\#(issuer)","version":2,"client_id":"\#(clientID)","origin_jti":"9a8b7c6d-1234-4e5f-8a9b-\#(String(format: "%012d", i))","event_id":"e1f2a3b4-5c6d-4e7f-8091-a2b3c4d5e6f7","token_use":"access","scope":"aws.cognito.signin.user.admin openid profile","auth_time":\#(now - 60),"exp":\#(now + 3600),"iat":\#(now - 60),"jti":"0d1e2f3a-4b5c-4d6e-8f70-\#(String(format: "%012d", i))","username":"bench-user-\#(i)"}"#
        }
        print("minting \(tokens) RS256 tokens…")
        let unique = (0..<tokens).map { signer.token(payloadJSON: payload($0)) }
        print("token bytes: \(unique[0].utf8.count)")

        config.verifyCacheEntries = 0
        let uncached = TokenVerifier(config: config, keys: registry)
        config.verifyCacheEntries = 100_000
        let cached = TokenVerifier(config: config, keys: registry)

        if only != "cached" {
            let rate = measure(seconds: seconds) { i in uncached.verify(unique[i % unique.count], tokenUse: .access) }
            print("unique_verify_per_sec: \(Int(rate))")
        }
        if only != "unique" {
            let repeated = unique[0]
            let rate = measure(seconds: seconds) { _ in cached.verify(repeated, tokenUse: .access) }
            print("cached_verify_per_sec: \(Int(rate))")
        }
    }

    /// Runs `body` in batches until `seconds` have passed; verifications per second.
    private func measure(seconds: Double, _ body: (Int) -> TokenVerifier.Outcome) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var done = 0, failures = 0
        while true {
            for _ in 0..<1000 {
                if case .verified = body(done) {} else { failures += 1 }
                done += 1
            }
            let elapsed = clock.now - start
            let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if s >= seconds {
                if failures > 0 { print("warning: \(failures) verifications failed") }
                return Double(done) / s
            }
        }
    }
}

/// The benchmark serves its JWKS from a file; HTTP is never used.
private struct NoHTTP: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        throw .transport("no HTTP in this benchmark")
    }
}
