import CBuildInfo

/// Which build this is, for `authrpc --version`, `/version`, Health and
/// `authrpc_build_info` (SPEC §9). The commit is what `scripts/stamp-build` recorded
/// before the build (`CBuildInfo`), or "unknown": SwiftPM runs no script of its own
/// before compiling, and nothing here guesses.
public enum BuildInfo {
    public static let version = AuthRPCVersion.current
    public static let commit: String = String(cString: authrpc_build_commit())

    /// `authrpc --version`.
    public static var summary: String { "authrpc \(version) (commit \(commit))" }

    /// Health's version string: SemVer build metadata when the commit is known.
    public static var healthVersion: String { commit == "unknown" ? version : "\(version)+\(commit)" }

    /// The body of `GET /version`.
    public static var json: String { #"{"version":"\#(version)","commit":"\#(commit)"}"# }
}
