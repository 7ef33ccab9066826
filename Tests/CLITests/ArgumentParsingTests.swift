@testable import authrpc
import ArgumentParser
import Foundation
import NIOCore
import Wire
import XCTest

/// The command line's own readers, without a server: durations, group lists, token
/// uses, the error budget, addresses, transport messages, and help on every option.
final class ArgumentParsingTests: XCTestCase {
    func testDurationsTakeUnitsAndBareNumbersAreSeconds() {
        XCTAssertEqual(DurationArgument(argument: "10s")?.duration, .seconds(10))
        XCTAssertEqual(DurationArgument(argument: "2m")?.duration, .seconds(120))
        XCTAssertEqual(DurationArgument(argument: "500ms")?.duration, .milliseconds(500))
        XCTAssertEqual(DurationArgument(argument: "1h")?.duration, .seconds(3600))
        XCTAssertEqual(DurationArgument(argument: "1.5s")?.duration, .milliseconds(1500))
        XCTAssertEqual(DurationArgument(argument: "250us")?.duration, .microseconds(250))
        XCTAssertEqual(DurationArgument(argument: "10")?.duration, .seconds(10))
        XCTAssertEqual(DurationArgument(argument: "0.25")?.duration, .milliseconds(250))
        XCTAssertEqual(DurationArgument(argument: "10S")?.duration, .seconds(10))
        for bad in ["", "s", "ms", "0", "0s", "-1s", "1e3", "abc", "10 minutes", "1.2.3s", "inf", "nan", "10x"] {
            XCTAssertNil(DurationArgument(argument: bad), bad)
        }
        XCTAssertEqual(DurationArgument(.seconds(10)).defaultValueDescription, "10s")
        XCTAssertEqual(DurationArgument(.milliseconds(500)).defaultValueDescription, "500ms")
    }

    func testGroupListsSplitOnCommas() {
        XCTAssertEqual(CommaList.split(["admins,staff"]), ["admins", "staff"])
        XCTAssertEqual(CommaList.split(["admins", "staff,ops"]), ["admins", "staff", "ops"])
        XCTAssertEqual(CommaList.split([" admins , staff ", ",,"]), ["admins", "staff"])
        XCTAssertEqual(CommaList.split([]), [])
    }

    func testTokenUseIsReadByNameOnly() throws {
        XCTAssertEqual(TokenUseArgument(argument: "any")?.tokenUse, .any)
        XCTAssertEqual(TokenUseArgument(argument: "id")?.tokenUse, .id)
        XCTAssertEqual(TokenUseArgument(argument: "access")?.tokenUse, .access)
        XCTAssertEqual(TokenUseArgument(argument: "ACCESS")?.tokenUse, .access)
        for number in ["0", "1", "2", "TOKEN_USE_ID", ""] { XCTAssertNil(TokenUseArgument(argument: number), number) }
        XCTAssertEqual(TokenUseArgument.allValueStrings, ["any", "id", "access"])
        XCTAssertEqual(TokenUseArgument(.any).defaultValueDescription, "any")
        XCTAssertEqual(Set(TokenUseArgument.allValueDescriptions.keys), ["any", "id", "access"])
        // Parsed through the commands themselves, as the shell hands the words over.
        XCTAssertEqual(try CallVerifyToken.parse(["--token", "t", "--use", "access"]).use.tokenUse, .access)
        XCTAssertEqual(try CallCheckGroups.parse(["--token", "t", "--use", "id"]).use.tokenUse, .id)
        XCTAssertEqual(try CallVerifyToken.parse(["--token", "t"]).use.tokenUse, .any)
        XCTAssertThrowsError(try CallVerifyToken.parse(["--token", "t", "--use", "2"]))
        XCTAssertEqual(try BenchVerifyCommand.parse(["--tokens", "f", "--use", "id"]).use.tokenUse, .id)
        let help = AuthRPCCommand.helpMessage(for: CallVerifyToken.self, columns: 200)
        XCTAssertTrue(help.contains("(default: any)"), help)
    }

    func testCheckGroupsParsesCommaSeparatedLists() throws {
        let command = try CallCheckGroups.parse(["--token", "t", "--allowed", "admins,staff", "--allowed", "ops",
                                                 "--required", "a", "--prohibited", "x,y"])
        XCTAssertEqual(CommaList.split(command.allowed), ["admins", "staff", "ops"])
        XCTAssertEqual(CommaList.split(command.prohibited), ["x", "y"])
    }

    func testErrorBudgetCountsUnexpectedAndLostRequests() {
        XCTAssertEqual(ErrorBudget(argument: "0")?.maxPercent, 0)
        XCTAssertEqual(ErrorBudget(argument: "5%")?.maxPercent, 5)
        XCTAssertEqual(ErrorBudget(argument: "0.5")?.maxPercent, 0.5)
        for bad in ["", "-1", "101", "five", "nan"] { XCTAssertNil(ErrorBudget(argument: bad), bad) }

        let strict = ErrorBudget(maxPercent: 0)
        XCTAssertNil(strict.verdict(sent: 100, lost: 0, unexpected: 0, outcomes: ["OK": 100]))
        // Failures the mix asked for (expired tokens) are not errors; the count comes from the load generator.
        XCTAssertNil(strict.verdict(sent: 100, lost: 0, unexpected: 0, outcomes: ["OK": 90, "UNAUTHENTICATED/TokenExpired": 10]))
        XCTAssertEqual(strict.verdict(sent: 100, lost: 0, unexpected: 100, outcomes: ["UNAUTHENTICATED/WrongIssuer": 100]),
                       "100% of 100 requests did not get the answer their token was made for "
                       + "(UNAUTHENTICATED/WrongIssuer: 100), above --max-errors 0%")
        XCTAssertNotNil(strict.verdict(sent: 100, lost: 1, unexpected: 0, outcomes: ["OK": 99]))
        XCTAssertEqual(strict.verdict(sent: 0, lost: 0, unexpected: 0, outcomes: [:]), "no request was sent")
        let loose = ErrorBudget(maxPercent: 5)
        XCTAssertNil(loose.verdict(sent: 100, lost: 0, unexpected: 5, outcomes: ["OK": 95, "INTERNAL/x": 5]))
        XCTAssertNotNil(loose.verdict(sent: 100, lost: 0, unexpected: 6, outcomes: ["OK": 94, "INTERNAL/x": 6]))
    }

    func testAddressComesFromTheFlagThenTheEnvironment() throws {
        XCTAssertEqual(try ServerAddress.resolve(flag: "10.0.0.1:7500", environment: ["AUTHRPC_ADDRESS": "h:1"]),
                       ServerAddress(host: "10.0.0.1", port: 7500))
        XCTAssertEqual(try ServerAddress.resolve(flag: nil, environment: ["AUTHRPC_ADDRESS": "authrpc-0:7400"]),
                       ServerAddress(host: "authrpc-0", port: 7400))
        XCTAssertEqual(try ServerAddress.resolve(flag: nil, environment: [:]), ServerAddress(host: "127.0.0.1", port: 7400))
        XCTAssertEqual(try ServerAddress.resolve(flag: nil, environment: ["AUTHRPC_ADDRESS": ""]), .fallback)
        XCTAssertEqual(ServerAddress("[::1]:7400"), ServerAddress(host: "::1", port: 7400))
        XCTAssertEqual(ServerAddress(host: "::1", port: 7400).description, "[::1]:7400")
        for bad in ["nohost", ":7400", "h:0", "h:70000", "h:x"] { XCTAssertNil(ServerAddress(bad), bad) }
        XCTAssertThrowsError(try ServerAddress.resolve(flag: nil, environment: ["AUTHRPC_ADDRESS": "nowhere"]))
    }

    func testTransportFailuresReadAsSentences() {
        let address = ServerAddress(host: "127.0.0.1", port: 7400)
        XCTAssertEqual(TransportFailure(IOError(errnoCode: ECONNREFUSED, reason: "connect"), address: address, phase: .connect).description,
                       "cannot connect to 127.0.0.1:7400: connection refused")
        XCTAssertEqual(TransportFailure(ChannelError.connectTimeout(.seconds(5)), address: address, phase: .connect).description,
                       "cannot connect to 127.0.0.1:7400: no answer within 5000 ms")
        XCTAssertEqual(TransportFailure(SocketAddressError.unknown(host: "nohost", port: 7400), address: address, phase: .connect).reason,
                       "unknown host")
    }

    /// Every option, flag and argument of every command says what it is for.
    func testEveryOptionHasHelp() throws {
        let dump = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(AuthRPCCommand._dumpHelp().utf8)) as? [String: Any])
        var missing: [String] = []
        var seen = 0
        func walk(_ command: [String: Any], path: String) {
            let name = path.isEmpty ? (command["commandName"] as? String ?? "?") : path + " " + (command["commandName"] as? String ?? "?")
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                seen += 1
                let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                let label = names.first ?? (argument["valueName"] as? String ?? "?")
                if (argument["abstract"] as? String ?? "").isEmpty { missing.append("\(name) \(label)") }
            }
            // ArgumentParser's own `help` subcommand is not ours to document.
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                walk(sub, path: name)
            }
        }
        walk(try XCTUnwrap(dump["command"] as? [String: Any]), path: "")
        XCTAssertGreaterThan(seen, 100)
        XCTAssertEqual(missing, [], "options without help")
    }

    /// A usage error `run()` finds names the subcommand that was run.
    func testRunTimeUsageMessageNamesTheSubcommand() {
        let message = AuthRPCCommand.runTimeUsageMessage(ValidationError("no token given"), in: CallVerifyToken.self)
        XCTAssertTrue(message.hasPrefix("Error: no token given\nUsage: authrpc call verify-token "), message)
        XCTAssertTrue(message.hasSuffix("See 'authrpc call verify-token --help' for more information."), message)
        XCTAssertEqual(AuthRPCCommand.commandPath(to: BenchVerifyCommand.self)?.map { $0._commandName },
                       ["authrpc", "bench", "verify"])
    }
}
