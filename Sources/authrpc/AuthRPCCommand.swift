import ArgumentParser
import AuthRPC

/// The `authrpc` executable: a thin shell over the AuthRPC and AuthRPCClient modules.
@main
struct AuthRPCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authrpc",
        abstract: "A small, fast authentication service for internal networks, backed by Cognito.",
        // `authrpc --version`: the version and the git commit of the build (BuildInfo).
        version: BuildInfo.summary,
        subcommands: [ServeCommand.self, CallCommand.self, BenchCommand.self])
}
