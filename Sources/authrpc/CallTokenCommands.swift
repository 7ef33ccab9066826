import ArgumentParser
import Wire

extension TokenUse: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "any": self = .any
        case "id": self = .id
        case "access": self = .access
        default: return nil
        }
    }
}

struct CallVerifyToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify-token", abstract: "Verify a Cognito token and print its claims.")
    @OptionGroup var options: CallOptions
    @Option(help: "The token (id or access).") var token: String
    @Option(help: "Require this token use: any, id or access.") var use: TokenUse = .any
    @Option(name: .customLong("scope"), help: "A scope the access token must carry (repeatable).") var scopes: [String] = []

    func run() async throws {
        try await options.call(.verifyToken(VerifyTokenRequest(token: token, tokenUse: use, requiredScopes: scopes)))
    }
}

struct CallCheckGroups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-groups", abstract: "Verify a token, then check its cognito:groups.")
    @OptionGroup var options: CallOptions
    @Option(help: "The token (id or access).") var token: String
    @Option(help: "Require this token use: any, id or access.") var use: TokenUse = .any
    @Option(name: .customLong("allowed"), help: "At least one of these groups (repeatable).") var allowed: [String] = []
    @Option(name: .customLong("required"), help: "All of these groups (repeatable).") var required: [String] = []
    @Option(name: .customLong("prohibited"), help: "None of these groups (repeatable).") var prohibited: [String] = []

    func run() async throws {
        try await options.call(.checkGroups(CheckGroupsRequest(
            token: token, tokenUse: use, allowedGroups: allowed, requiredGroups: required, prohibitedGroups: prohibited)))
    }
}
