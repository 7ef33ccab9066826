import ArgumentParser
import AuthRPCClient
import AuthRPCLoad
import Foundation
import NIOPosix
import Wire

/// `authrpc bench verify`: load a running server's VerifyToken path and report
/// throughput and latency percentiles (HdrHistogram).
struct BenchVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Load a running server with VerifyToken requests; print throughput and latency.",
        discussion: """
            Tokens come from --tokens FILE (one per line) or are minted here (--mint N) with a \
            fresh RSA key whose JWKS is written to --jwks-out, which the server must read \
            (COGNITO_JWKS_URL=file://...; see `authrpc bench mint` for the other settings).
            """)

    @Option(help: "Server HOST:PORT.") var address = "127.0.0.1:7400"
    @Option(help: "Connections.") var connections = 16
    @Option(help: "Requests outstanding per connection (closed loop).") var depth = 32
    @Option(help: "Seconds to run.") var duration = 10.0
    @Option(help: "Stop after this many requests instead of --duration.") var requests: Int?
    @Option(help: "Open loop: requests per second in all, sent on schedule whatever the answers do.") var rate: Double?
    @Option(help: "File of tokens, one per line.") var tokens: String?
    @Option(help: "Mint this many distinct tokens (1 = one repeated token).") var mint: Int?
    @Option(help: "With --mint: where to write the JWKS the server reads.") var jwksOut: String?
    @Option(help: "With --mint: the share of each kind, e.g. valid=90,expired=5,bad-signature=5.") var mix = "valid=100"
    @Option(help: "The token use to ask the server for.") var use = TokenUseArgument(.any)
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "No progress line.") var quiet = false
    @OptionGroup var tls: TLSOptions

    func run() async throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw ValidationError("--address must be HOST:PORT")
        }
        let host = String(address[..<colon])
        var plan = LoadPlan()
        plan.host = host
        plan.port = port
        plan.connections = connections
        plan.depth = depth
        plan.duration = .milliseconds(Int64(duration * 1000))
        plan.requestLimit = requests
        plan.rate = rate
        plan.progress = !quiet
        plan.tls = try tls.makeClientTLS()
        plan.templates = try await templates(host: host, port: port, clientTLS: plan.tls)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let report = try await LoadGenerator.run(plan, group: group)
        try await group.shutdownGracefully()
        print(json ? report.json : report.text)
    }

    private func templates(host: String, port: Int, clientTLS: ClientTLS?) async throws -> [RequestTemplate] {
        func template(_ label: String, _ token: String) throws -> RequestTemplate {
            do {
                return try RequestTemplate(label: label, body: .verifyToken(VerifyTokenRequest(token: token, tokenUse: use.tokenUse)))
            } catch {
                throw ValidationError("a token cannot be sent: \(error.description)")
            }
        }
        if let tokens {
            let lines = try String(contentsOfFile: tokens, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
            guard !lines.isEmpty else { throw ValidationError("\(tokens) holds no tokens") }
            return try lines.map { try template("file", $0) }
        }
        guard let mint, mint > 0, let jwksOut else {
            throw ValidationError("give --tokens FILE, or --mint N with --jwks-out PATH")
        }
        let shares = try parseMix(mix)
        let minted = try BenchTokens()
        try minted.jwksJSON.write(toFile: jwksOut, atomically: true, encoding: .utf8)
        var list: [RequestTemplate] = []
        for i in 0..<mint {
            // Spread the kinds evenly through the list by their shares.
            let slot = (i * 100 / mint) % 100
            var acc = 0
            let kind = shares.first { acc += $0.1; return slot < acc }?.0 ?? "valid"
            switch kind {
            case "expired": list.append(try template(kind, minted.expired(i)))
            case "bad-signature": list.append(try template(kind, minted.badSignature(i)))
            default: list.append(try template("valid", minted.valid(i)))
            }
        }
        try await waitUntilServerTrusts(minted.valid(mint), host: host, port: port, clientTLS: clientTLS)
        return list
    }

    /// The server learns the new key on its next JWKS fetch (an unknown kid triggers one,
    /// at most once per AUTHRPC_JWKS_MIN_REFRESH_S); wait for that before measuring.
    private func waitUntilServerTrusts(_ token: String, host: String, port: Int, clientTLS: ClientTLS?) async throws {
        let connection = try await AuthRPCConnection.connect(host: host, port: port, tls: clientTLS)
        defer { Task { await connection.close() } }
        let end = ContinuousClock.now + .seconds(60)
        while true {
            let answer = try await connection.call(.verifyToken(VerifyTokenRequest(token: token)))
            if answer.status == .ok { return }
            if ContinuousClock.now > end {
                throw ValidationError("the server does not accept the minted tokens: \(answer.status) \(answer.errorType)")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    private func parseMix(_ text: String) throws -> [(String, Int)] {
        let known: Set = ["valid", "expired", "bad-signature"]
        var shares: [(String, Int)] = []
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=")
            guard kv.count == 2, known.contains(String(kv[0])), let share = Int(kv[1]), share >= 0 else {
                throw ValidationError("--mix takes KIND=PERCENT pairs of valid, expired, bad-signature (got \"\(part)\")")
            }
            shares.append((String(kv[0]), share))
        }
        guard shares.map(\.1).reduce(0, +) == 100 else { throw ValidationError("--mix shares must add up to 100") }
        return shares
    }
}

/// `authrpc bench mint`: a key, its JWKS and token files for a benchmark run, so the
/// server can be started with the JWKS before any load.
struct BenchMintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint",
        abstract: "Write jwks.json, server.env and token files (valid, expired, bad-signature) to a folder.")

    @Option(help: "Folder to write into (created if missing).") var out: String
    @Option(help: "Distinct tokens of each kind.") var count = 1000

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let minted = try BenchTokens()
        let jwks = (out as NSString).appendingPathComponent("jwks.json")
        try minted.jwksJSON.write(toFile: jwks, atomically: true, encoding: .utf8)
        let env = BenchTokens.serverEnvironment(jwksPath: jwks).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        try (env.joined(separator: "\n") + "\n").write(toFile: (out as NSString).appendingPathComponent("server.env"),
                                                      atomically: true, encoding: .utf8)
        let kinds: [(String, (Int) -> String)] = [("valid", minted.valid), ("expired", minted.expired), ("bad-signature", minted.badSignature)]
        for (name, make) in kinds {
            let text = (0..<count).map(make).joined(separator: "\n") + "\n"
            try text.write(toFile: (out as NSString).appendingPathComponent("\(name).txt"), atomically: true, encoding: .utf8)
        }
        print("wrote jwks.json, server.env, valid.txt, expired.txt, bad-signature.txt (\(count) each) to \(out)")
    }
}
