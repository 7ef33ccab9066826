import Foundation

/// Values of a repeatable option that also takes comma-separated lists:
/// `--allowed admins,staff --allowed ops` is three groups, as a person reading the
/// command line expects. Blanks around names and empty items are dropped.
///
/// Cognito group names may in principle hold a comma; such a group cannot be named
/// on the command line (the service compares names exactly, SPEC §6).
enum CommaList {
    static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
