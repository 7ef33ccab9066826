import ArgumentParser

/// The `authrpc` executable: a thin shell over the AuthRPC and AuthRPCClient modules.
@main
struct AuthRPCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authrpc",
        abstract: "A small, fast authentication service for internal networks, backed by Cognito.",
        subcommands: [ServeCommand.self, CallCommand.self, BenchCommand.self])
}
