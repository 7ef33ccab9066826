import ArgumentParser
import AuthRPC
import AuthRPCClient
import Foundation
import Wire

/// Options every `authrpc call` subcommand shares.
struct CallOptions: ParsableArguments {
    @Option(help: "Server HOST:PORT (default: $AUTHRPC_ADDRESS, else 127.0.0.1:7400).")
    var address: String?

    @Option(help: "Deadline in milliseconds, 0 for none.")
    var deadlineMs: UInt32 = 10_000

    @OptionGroup var tls: TLSOptions

    /// Sends one request, prints the answer as JSON, and fails the command when the
    /// answer is not OK, so scripts can test the exit code.
    func call(_ body: Request.Body) async throws {
        let text = address ?? ProcessInfo.processInfo.environment["AUTHRPC_ADDRESS"] ?? "127.0.0.1:7400"
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            throw ValidationError("--address must be HOST:PORT")
        }
        let clientTLS = try tls.makeClientTLS()
        let connection: AuthRPCConnection
        let response: Response
        do {
            connection = try await AuthRPCConnection.connect(host: String(text[..<colon]), port: port, tls: clientTLS)
            response = try await connection.call(body, deadlineMs: deadlineMs)
        } catch let error as AuthRPCClientError {
            // TLS refusals and the like: one readable line, not a dump of the error value.
            FileHandle.standardError.write(Data("authrpc: \(error)\n".utf8))
            throw ExitCode(2)
        }
        await connection.close()
        print(response.json.rendered())
        if response.status != .ok { throw ExitCode(1) }
    }
}

/// `authrpc call`: talk to a running server like a client would, for people.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Send one request to a running server and print the answer as JSON.",
        subcommands: [
            CallHealth.self, CallVerifyToken.self, CallCheckGroups.self,
            CallRegister.self, CallConfirm.self, CallResendCode.self, CallAuthenticate.self,
            CallRespondToChallenge.self, CallRefresh.self, CallSignOut.self,
            CallForgotPassword.self, CallConfirmForgotPassword.self,
        ])
}

struct CallHealth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Ask the server how it is.")
    @OptionGroup var options: CallOptions
    func run() async throws { try await options.call(.health(HealthRequest())) }
}
