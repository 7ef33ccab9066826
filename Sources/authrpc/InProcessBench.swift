import CurlHTTP
import TokenVerification
import ArgumentParser
import AuthRPC
import Foundation

/// What the in-process benchmarks share: a fresh signing key (`BenchTokens`), its JWKS in
/// a temporary file, the configuration a server would load for it, and a started key
/// registry. `finish()` stops the registry and removes the file.
struct InProcessBench {
    let mint: BenchTokens
    let config: ServiceConfig
    let registry: JWKSRegistry
    private let jwksPath: String

    static func start() async throws -> InProcessBench {
        let mint = try BenchTokens()
        let path = NSTemporaryDirectory() + "authrpc-bench-jwks-\(getpid()).json"
        guard FileManager.default.createFile(atPath: path, contents: Data(mint.jwksJSON.utf8)) else {
            throw ValidationError("cannot write \(path)")
        }
        let config = try ServiceConfig.load(from: BenchTokens.serverEnvironment(jwksPath: path))
        let registry = JWKSRegistry(config: config, transport: NoHTTPTransport())
        await registry.start()
        guard registry.hasKeysForEveryPool else {
            try? FileManager.default.removeItem(atPath: path)
            throw ValidationError("JWKS did not load: \(registry.poolStatuses())")
        }
        return InProcessBench(mint: mint, config: config, registry: registry, jwksPath: path)
    }

    func finish() async {
        await registry.shutdown()
        try? FileManager.default.removeItem(atPath: jwksPath)
    }
}

/// The benchmarks serve their JWKS from a file; HTTP is never used.
private struct NoHTTPTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        throw .transport("no HTTP in this benchmark")
    }
}
