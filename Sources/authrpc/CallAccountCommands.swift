import ArgumentParser
import Foundation
import Wire

/// `NAME=VALUE` pairs for map fields. With `what`, a bare `NAME` takes its value from a
/// line of standard input, so a secret answer need not be on the command line.
private func pairs(_ items: [String], flag: String, stdinValue what: String? = nil) throws -> [String: String] {
    var result: [String: String] = [:]
    for item in items {
        if let eq = item.firstIndex(of: "=") {
            result[String(item[..<eq])] = String(item[item.index(after: eq)...])
        } else if let what, !item.isEmpty {
            result[item] = try StandardInput.line(for: "\(what) \(item)", flag: "\(flag) \(item)=VALUE")
        } else {
            throw ValidationError("\(flag) takes NAME=VALUE (got \"\(item)\")")
        }
    }
    return result
}

struct CallRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "register", abstract: "Sign a new user up (Cognito SignUp).")
    @OptionGroup var options: CallOptions
    @Option(help: "The new user's name.") var username: String
    @Option(help: "The new user's password; read from standard input when left out.") var password: String?
    @Option(help: "The user's email address (the pool may require it).") var email: String = ""
    @Option(name: .customLong("attribute"), help: "Extra user attribute NAME=VALUE (repeatable).") var attributes: [String] = []

    func run() async throws {
        let attributes = try pairs(attributes, flag: "--attribute")
        try await options.call(.register(RegisterRequest(
            username: username, password: try StandardInput.value(password, for: "password", flag: "--password"),
            email: email, attributes: attributes)))
    }
}

struct CallConfirm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "confirm", abstract: "Confirm a registration with the emailed code.")
    @OptionGroup var options: CallOptions
    @Option(help: "The user to confirm.") var username: String
    @Option(help: "The confirmation code Cognito sent; read from standard input when left out.") var code: String?
    func run() async throws {
        let code = try StandardInput.value(code, for: "code", flag: "--code")
        try await options.call(.confirmRegistration(ConfirmRegistrationRequest(username: username, code: code)))
    }
}

struct CallResendCode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resend-code", abstract: "Send the confirmation code again.")
    @OptionGroup var options: CallOptions
    @Option(help: "The user who needs a new code.") var username: String
    func run() async throws { try await options.call(.resendConfirmationCode(ResendConfirmationCodeRequest(username: username))) }
}

struct CallAuthenticate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "authenticate", abstract: "Sign in with username and password.")
    @OptionGroup var options: CallOptions
    @Option(help: "The user signing in.") var username: String
    @Option(help: "The password; read from standard input when left out.") var password: String?
    func run() async throws {
        let password = try StandardInput.value(password, for: "password", flag: "--password")
        try await options.call(.authenticate(AuthenticateRequest(username: username, password: password)))
    }
}

struct CallRespondToChallenge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond-to-challenge", abstract: "Answer a sign-in challenge such as NEW_PASSWORD_REQUIRED.",
        discussion: """
            Values left off the command line are read from standard input, one a line: first the \
            session (without --session), then each --response given as a bare NAME, in order. \
            Example: printf '%s\\n' "$SESSION" "$NEW_PASSWORD" | authrpc call respond-to-challenge \
            --username alice --challenge-name NEW_PASSWORD_REQUIRED --response NEW_PASSWORD
            """)
    @OptionGroup var options: CallOptions
    @Option(help: "The user signing in.") var username: String
    @Option(help: "The challenge's name, as authenticate answered it (e.g. NEW_PASSWORD_REQUIRED).") var challengeName: String
    @Option(help: "The challenge's session, as authenticate answered it; read from standard input when left out.") var session: String?
    @Option(name: .customLong("response"),
            help: ArgumentHelp("A challenge response NAME=VALUE, e.g. NEW_PASSWORD=...; a bare NAME reads its value from standard input (repeatable).",
                               valueName: "name[=value]"))
    var responses: [String] = []
    func run() async throws {
        let session = try StandardInput.value(session, for: "session", flag: "--session")
        let responses = try pairs(responses, flag: "--response", stdinValue: "challenge response")
        try await options.call(.respondToChallenge(RespondToChallengeRequest(
            username: username, challengeName: challengeName, session: session, responses: responses)))
    }
}

struct CallRefresh: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Get new tokens with a refresh token.")
    @OptionGroup var options: CallOptions
    @Option(help: "The refresh token; read from standard input when left out.") var refreshToken: String?
    @Option(help: "The token's user; needed when the app client has a secret.") var username: String = ""
    func run() async throws {
        let refreshToken = try StandardInput.value(refreshToken, for: "refresh token", flag: "--refresh-token")
        try await options.call(.refreshTokens(RefreshTokensRequest(refreshToken: refreshToken, username: username)))
    }
}

struct CallSignOut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign-out", abstract: "Sign the user out everywhere (GlobalSignOut).")
    @OptionGroup var options: CallOptions
    @Option(help: "The user's access token; read from standard input when left out.") var accessToken: String?
    func run() async throws {
        let accessToken = try StandardInput.value(accessToken, for: "access token", flag: "--access-token")
        try await options.call(.signOut(SignOutRequest(accessToken: accessToken)))
    }
}

struct CallForgotPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "forgot-password", abstract: "Start a password reset.")
    @OptionGroup var options: CallOptions
    @Option(help: "The user who forgot the password.") var username: String
    func run() async throws { try await options.call(.forgotPassword(ForgotPasswordRequest(username: username))) }
}

struct CallConfirmForgotPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm-forgot-password", abstract: "Finish a password reset with the code.",
        discussion: "Values left off the command line are read from standard input, one a line: the code, then the new password.")
    @OptionGroup var options: CallOptions
    @Option(help: "The user resetting the password.") var username: String
    @Option(help: "The reset code Cognito sent; read from standard input when left out.") var code: String?
    @Option(help: "The new password; read from standard input when left out.") var newPassword: String?
    func run() async throws {
        let code = try StandardInput.value(code, for: "code", flag: "--code")
        let newPassword = try StandardInput.value(newPassword, for: "new password", flag: "--new-password")
        try await options.call(.confirmForgotPassword(ConfirmForgotPasswordRequest(
            username: username, code: code, newPassword: newPassword)))
    }
}
