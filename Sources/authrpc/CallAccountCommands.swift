import ArgumentParser
import Foundation
import Wire

/// A secret given on the command line is visible to `ps`; when the flag is left
/// out, the value is read from the first line of standard input instead.
private func secretOrStdin(_ value: String?, what: String) throws -> String {
    if let value { return value }
    FileHandle.standardError.write(Data("\(what): ".utf8))
    guard let line = readLine(strippingNewline: true) else { throw ValidationError("no \(what) given") }
    return line
}

/// `key=value` pairs for map fields.
private func pairs(_ items: [String], flag: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for item in items {
        guard let eq = item.firstIndex(of: "=") else { throw ValidationError("--\(flag) takes KEY=VALUE (got \"\(item)\")") }
        result[String(item[..<eq])] = String(item[item.index(after: eq)...])
    }
    return result
}

struct CallRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "register", abstract: "Sign a new user up (Cognito SignUp).")
    @OptionGroup var options: CallOptions
    @Option var username: String
    @Option(help: "Read from standard input when left out.") var password: String?
    @Option var email: String = ""
    @Option(name: .customLong("attribute"), help: "Extra user attribute NAME=VALUE (repeatable).") var attributes: [String] = []

    func run() async throws {
        try await options.call(.register(RegisterRequest(
            username: username, password: try secretOrStdin(password, what: "password"), email: email,
            attributes: try pairs(attributes, flag: "attribute"))))
    }
}

struct CallConfirm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "confirm", abstract: "Confirm a registration with the emailed code.")
    @OptionGroup var options: CallOptions
    @Option var username: String
    @Option var code: String
    func run() async throws { try await options.call(.confirmRegistration(ConfirmRegistrationRequest(username: username, code: code))) }
}

struct CallResendCode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resend-code", abstract: "Send the confirmation code again.")
    @OptionGroup var options: CallOptions
    @Option var username: String
    func run() async throws { try await options.call(.resendConfirmationCode(ResendConfirmationCodeRequest(username: username))) }
}

struct CallAuthenticate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "authenticate", abstract: "Sign in with username and password.")
    @OptionGroup var options: CallOptions
    @Option var username: String
    @Option(help: "Read from standard input when left out.") var password: String?
    func run() async throws {
        try await options.call(.authenticate(AuthenticateRequest(username: username, password: try secretOrStdin(password, what: "password"))))
    }
}

struct CallRespondToChallenge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "respond-to-challenge", abstract: "Answer a sign-in challenge such as NEW_PASSWORD_REQUIRED.")
    @OptionGroup var options: CallOptions
    @Option var username: String
    @Option var challengeName: String
    @Option var session: String
    @Option(name: .customLong("response"), help: "Challenge response NAME=VALUE, e.g. NEW_PASSWORD=... (repeatable).") var responses: [String] = []
    func run() async throws {
        try await options.call(.respondToChallenge(RespondToChallengeRequest(
            username: username, challengeName: challengeName, session: session, responses: try pairs(responses, flag: "response"))))
    }
}

struct CallRefresh: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Get new tokens with a refresh token.")
    @OptionGroup var options: CallOptions
    @Option(help: "Read from standard input when left out.") var refreshToken: String?
    @Option(help: "Needed when the app client has a secret.") var username: String = ""
    func run() async throws {
        try await options.call(.refreshTokens(RefreshTokensRequest(
            refreshToken: try secretOrStdin(refreshToken, what: "refresh token"), username: username)))
    }
}

struct CallSignOut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign-out", abstract: "Sign the user out everywhere (GlobalSignOut).")
    @OptionGroup var options: CallOptions
    @Option(help: "Read from standard input when left out.") var accessToken: String?
    func run() async throws {
        try await options.call(.signOut(SignOutRequest(accessToken: try secretOrStdin(accessToken, what: "access token"))))
    }
}

struct CallForgotPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "forgot-password", abstract: "Start a password reset.")
    @OptionGroup var options: CallOptions
    @Option var username: String
    func run() async throws { try await options.call(.forgotPassword(ForgotPasswordRequest(username: username))) }
}

struct CallConfirmForgotPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "confirm-forgot-password", abstract: "Finish a password reset with the code.")
    @OptionGroup var options: CallOptions
    @Option var username: String
    @Option var code: String
    @Option(help: "Read from standard input when left out.") var newPassword: String?
    func run() async throws {
        try await options.call(.confirmForgotPassword(ConfirmForgotPasswordRequest(
            username: username, code: code, newPassword: try secretOrStdin(newPassword, what: "new password"))))
    }
}
