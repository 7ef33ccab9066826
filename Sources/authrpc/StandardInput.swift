import ArgumentParser
import Foundation

/// Secrets (passwords, tokens, codes, challenge answers) given as flags are visible to
/// `ps` and kept in shell history. When such a flag is left out, its value is one line
/// of standard input instead: `authrpc call verify-token < token.txt`, or typed at a
/// prompt. Several values read from standard input come one a line, in the order
/// the command's help names them.
enum StandardInput {
    /// The next line of standard input, prompting for `what` when a person is typing.
    static func line(for what: String, flag: String) throws -> String {
        if isatty(STDIN_FILENO) != 0 {
            FileHandle.standardError.write(Data("\(what): ".utf8))
        }
        guard let line = readLine(strippingNewline: true) else {
            throw ValidationError("no \(what) given: pass \(flag) or one line on standard input")
        }
        return line
    }

    /// `value` when the flag was given, else a line of standard input.
    static func value(_ value: String?, for what: String, flag: String) throws -> String {
        if let value { return value }
        return try line(for: what, flag: flag)
    }
}
