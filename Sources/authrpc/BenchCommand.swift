import ArgumentParser

/// Benchmarks; each measures against OpenSSL in the same run (see docs/BENCHMARKS.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure authrpc's speed side by side with OpenSSL on the same core.",
        subcommands: [BenchVerifyCommand.self, BenchMintCommand.self, BenchVerifyInProcCommand.self,
                      BenchCacheMemoryCommand.self, BenchHandshakesCommand.self, BenchDispatchInProcCommand.self])
}
