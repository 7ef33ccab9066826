import ArgumentParser
import Wire

struct CallVerifyToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-token", abstract: "Verify a Cognito token and print its claims.",
        discussion: "Without --token, the token is read from the first line of standard input.")
    @OptionGroup var options: CallOptions
    @Option(help: "The token (id or access); read from standard input when left out.") var token: String?
    @Option(help: "Require this kind of token.") var use = TokenUseArgument(.any)
    @Option(name: .customLong("scope"), help: "A scope the access token must carry (repeatable).") var scopes: [String] = []

    func run() async throws {
        let token = try StandardInput.value(token, for: "token", flag: "--token")
        try await options.call(.verifyToken(VerifyTokenRequest(token: token, tokenUse: use.tokenUse, requiredScopes: scopes)))
    }
}

struct CallCheckGroups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-groups", abstract: "Verify a token, then check its cognito:groups.",
        discussion: """
            Group lists are comma-separated and the flags repeatable: --allowed admins,staff \
            is two groups. Without --token, the token is read from the first line of standard input.
            """)
    @OptionGroup var options: CallOptions
    @Option(help: "The token (id or access); read from standard input when left out.") var token: String?
    @Option(help: "Require this kind of token.") var use = TokenUseArgument(.any)
    @Option(name: .customLong("allowed"), help: ArgumentHelp("The token needs at least one of these groups (comma-separated, repeatable).", valueName: "groups"))
    var allowed: [String] = []
    @Option(name: .customLong("required"), help: ArgumentHelp("The token needs all of these groups (comma-separated, repeatable).", valueName: "groups"))
    var required: [String] = []
    @Option(name: .customLong("prohibited"), help: ArgumentHelp("The token must have none of these groups (comma-separated, repeatable).", valueName: "groups"))
    var prohibited: [String] = []

    func run() async throws {
        let token = try StandardInput.value(token, for: "token", flag: "--token")
        try await options.call(.checkGroups(CheckGroupsRequest(
            token: token, tokenUse: use.tokenUse, allowedGroups: CommaList.split(allowed),
            requiredGroups: CommaList.split(required), prohibitedGroups: CommaList.split(prohibited))))
    }
}
