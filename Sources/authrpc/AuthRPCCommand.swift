import ArgumentParser
import AuthRPC
import Foundation

/// The `authrpc` executable: a thin shell over the AuthRPC and AuthRPCClient modules.
@main
struct AuthRPCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authrpc",
        abstract: "A small, fast authentication service for internal networks, backed by Cognito.",
        discussion: CLIExit.helpText,
        // `authrpc --version`: the version and the git commit of the build (BuildInfo).
        version: BuildInfo.summary,
        subcommands: [ServeCommand.self, CallCommand.self, BenchCommand.self])

    /// ArgumentParser's own `main`, with this tool's exit codes (`CLIExit`): a usage
    /// error exits 2 (not 64), shows the usage of the subcommand that was run (also when
    /// `run()` finds the mistake), and a `TransportFailure` is one line and exit 3.
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot()
        } catch {
            // Parse and `validate()` errors carry their subcommand; ArgumentParser
            // already shows that subcommand's usage.
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            exitWithUsage(fullMessage(for: error))
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch let error as ValidationError {
            exitWithUsage(runTimeUsageMessage(error, in: type(of: command)))
        } catch let failure as TransportFailure {
            FileHandle.standardError.write(Data("authrpc: \(failure)\n".utf8))
            Foundation.exit(CLIExit.transport.rawValue)
        } catch {
            exit(withError: error)
        }
    }

    /// What ArgumentParser prints for a usage error, for one found in `run()`:
    /// the message, then the usage of the subcommand that was run.
    static func runTimeUsageMessage(_ error: ValidationError, in subcommand: any ParsableCommand.Type) -> String {
        let path = commandPath(to: subcommand) ?? [self]
        let names = path.map { $0._commandName }.joined(separator: " ")
        return """
            Error: \(error.message)
            Usage: \(usageString(for: subcommand))
              See '\(names) --help' for more information.
            """
    }

    /// The chain of commands from this one down to `target`, or nil when it is not below.
    static func commandPath(to target: any ParsableCommand.Type,
                            from node: any ParsableCommand.Type = AuthRPCCommand.self) -> [any ParsableCommand.Type]? {
        if ObjectIdentifier(node) == ObjectIdentifier(target) { return [node] }
        for child in node.configuration.subcommands {
            if let rest = commandPath(to: target, from: child) { return [node] + rest }
        }
        return nil
    }

    private static func exitWithUsage(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
        Foundation.exit(CLIExit.usage.rawValue)
    }
}
