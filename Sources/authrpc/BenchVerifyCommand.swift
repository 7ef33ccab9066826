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

            The run fails (exit 1) when more than --max-errors percent of the requests are \
            lost or answered other than their token expects: a benchmark against a server that \
            rejects every token (the wrong pool, say) does not pass as a fast one. Exit 2 is a \
            usage error, 3 a server that cannot be reached.
            """)

    @Option(help: "Server HOST:PORT (default: $AUTHRPC_ADDRESS, else 127.0.0.1:7400).") var address: String?
    @Option(help: "Connections.") var connections = 16
    @Option(help: "Requests outstanding per connection (closed loop).") var depth = 32
    @Option(help: "How long to run: 500ms, 10s, 2m; a bare number is seconds.")
    var duration = DurationArgument(.seconds(10))
    @Option(help: "Stop after this many requests instead of --duration.") var requests: Int?
    @Option(help: "Open loop: requests per second in all, sent on schedule whatever the answers do.") var rate: Double?
    @Option(help: "File of tokens, one per line; each should be answered OK.") var tokens: String?
    @Option(help: "Mint this many distinct tokens (1 = one repeated token).") var mint: Int?
    @Option(help: "With --mint: where to write the JWKS the server reads.") var jwksOut: String?
    @Option(help: "With --mint: the share of each kind, e.g. valid=90,expired=5,bad-signature=5.") var mix = "valid=100"
    @Option(help: "The token use to ask the server for.") var use = TokenUseArgument(.any)
    @Option(help: ArgumentHelp(
        "Fail (exit 1) when more than this share of requests, in percent, is lost or not answered as its token expects (OK for valid tokens).",
        valueName: "percent"))
    var maxErrors = ErrorBudget(maxPercent: 0)
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "No progress line (there is none anyway unless standard error is a terminal).") var quiet = false
    @OptionGroup var tls: TLSOptions

    func validate() throws {
        _ = try ServerAddress.resolve(flag: address)
        _ = try parseMix(mix)
        if tokens == nil && (mint ?? 0) <= 0 || tokens == nil && jwksOut == nil {
            throw ValidationError("give --tokens FILE, or --mint N with --jwks-out PATH")
        }
        if duration.duration <= .zero { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        let address = try ServerAddress.resolve(flag: address)
        var plan = LoadPlan()
        plan.host = address.host
        plan.port = address.port
        plan.connections = connections
        plan.depth = depth
        plan.duration = duration.duration
        plan.requestLimit = requests
        plan.rate = rate
        // A progress line redrawn with \r is for a person watching; in a pipe or a log it is noise.
        plan.progress = !quiet && isatty(STDERR_FILENO) != 0
        do {
            plan.tls = try tls.makeClientTLS()
        } catch {
            throw ValidationError("\(error)")
        }
        plan.templates = try await templates(address: address, clientTLS: plan.tls)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let report: LoadReport
        do {
            report = try await LoadGenerator.run(plan, group: group)
        } catch let error as LoadGenerator.PlanError {
            try await group.shutdownGracefully()
            throw ValidationError(error.description)
        } catch {
            try await group.shutdownGracefully()
            throw TransportFailure(error, address: address, phase: .connect)
        }
        try await group.shutdownGracefully()
        print(json ? report.json : report.text)
        if let verdict = maxErrors.verdict(sent: report.sent, lost: report.lost, unexpected: report.unexpected,
                                           outcomes: report.outcomes) {
            FileHandle.standardError.write(Data("authrpc: \(verdict)\n".utf8))
            throw CLIExit.rejected
        }
    }

    /// What each kind of minted token is answered when the server trusts the key.
    private static let expectedErrorType = ["valid": "", "expired": "TokenExpired", "bad-signature": "BadSignature"]

    private func templates(address: ServerAddress, clientTLS: ClientTLS?) async throws -> [RequestTemplate] {
        func template(_ label: String, _ token: String) throws -> RequestTemplate {
            do {
                return try RequestTemplate(label: label, body: .verifyToken(VerifyTokenRequest(token: token, tokenUse: use.tokenUse)),
                                           expectedErrorType: Self.expectedErrorType[label] ?? "")
            } catch {
                throw ValidationError("a token cannot be sent: \(error.description)")
            }
        }
        if let tokens {
            let text: String
            do {
                text = try String(contentsOfFile: tokens, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read --tokens \(tokens): \(error.localizedDescription)")
            }
            let lines = text.split(whereSeparator: \.isNewline).map(String.init)
            guard !lines.isEmpty else { throw ValidationError("--tokens \(tokens) holds no tokens") }
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
        try await waitUntilServerTrusts(minted.valid(mint), address: address, clientTLS: clientTLS)
        return list
    }

    /// The server learns the new key on its next JWKS fetch (an unknown kid triggers one,
    /// at most once per AUTHRPC_JWKS_MIN_REFRESH_S); wait for that before measuring.
    private func waitUntilServerTrusts(_ token: String, address: ServerAddress, clientTLS: ClientTLS?) async throws {
        let connection: AuthRPCConnection
        do {
            connection = try await AuthRPCConnection.connect(host: address.host, port: address.port, tls: clientTLS)
        } catch {
            throw TransportFailure(error, address: address, phase: .connect)
        }
        defer { Task { await connection.close() } }
        let end = ContinuousClock.now + .seconds(60)
        while true {
            let answer: Response
            do {
                answer = try await connection.call(.verifyToken(VerifyTokenRequest(token: token)))
            } catch {
                throw TransportFailure(error, address: address, phase: .call)
            }
            if answer.status == .ok { return }
            if ContinuousClock.now > end {
                FileHandle.standardError.write(Data(
                    "authrpc: the server does not accept the minted tokens: \(answer.status) \(answer.errorType)\n".utf8))
                throw CLIExit.rejected
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
