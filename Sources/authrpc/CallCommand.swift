import ArgumentParser
import AuthRPC
import AuthRPCClient
import Foundation
import NIOCore
import Wire

/// Options every `authrpc call` subcommand shares.
struct CallOptions: ParsableArguments {
    @Option(help: "Server HOST:PORT (default: $AUTHRPC_ADDRESS, else 127.0.0.1:7400).")
    var address: String?

    @Option(help: "Deadline in milliseconds the server answers within, 0 for none.")
    var deadlineMs: UInt32 = 10_000

    @OptionGroup var tls: TLSOptions

    func validate() throws {
        _ = try ServerAddress.resolve(flag: address)
    }

    /// Sends one request and prints the answer as JSON. The exit code says how it went
    /// (`CLIExit`): an answer that is not OK is `rejected`; no answer at all is a
    /// `TransportFailure`, never mistaken for a rejection.
    func call(_ body: Request.Body) async throws {
        let address = try ServerAddress.resolve(flag: address)
        let clientTLS: ClientTLS?
        do {
            clientTLS = try tls.makeClientTLS()
        } catch {
            throw ValidationError("\(error)")
        }
        let connection: AuthRPCConnection
        do {
            connection = try await AuthRPCConnection.connect(host: address.host, port: address.port, tls: clientTLS)
        } catch {
            throw TransportFailure(error, address: address, phase: .connect)
        }
        let response: Response
        do {
            response = try await answer(to: body, on: connection)
        } catch {
            await connection.close()
            throw TransportFailure(error, address: address, phase: .call)
        }
        await connection.close()
        print(response.json.rendered())
        if response.status != .ok { throw CLIExit.rejected }
    }

    /// The answer, waited for at most a little longer than the deadline the server
    /// keeps, so a server that takes the request and never answers cannot hang a script.
    private func answer(to body: Request.Body, on connection: AuthRPCConnection) async throws -> Response {
        let answer = connection.send(Request(id: connection.makeID(), deadlineMs: deadlineMs, body: body))
        guard deadlineMs > 0 else { return try await answer.get() }
        let bounded = answer.eventLoop.makePromise(of: Response.self)
        let timer = answer.eventLoop.scheduleTask(in: .milliseconds(Int64(deadlineMs) + 2000)) {
            bounded.fail(AuthRPCClientError.timedOut)
        }
        answer.whenComplete { result in
            timer.cancel()
            bounded.completeWith(result)
        }
        return try await bounded.futureResult.get()
    }
}

/// `authrpc call`: talk to a running server like a client would, for people.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Send one request to a running server and print the answer as JSON.",
        discussion: CLIExit.helpText,
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
