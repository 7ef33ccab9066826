import ArgumentParser

/// What `authrpc call` and `authrpc bench` exit with, so scripts can tell a bad token
/// from a typo from a dead server. `serve` keeps its own: 78 for a bad setting.
enum CLIExit {
    /// The service answered OK (and a benchmark stayed within `--max-errors`).
    static let ok = ExitCode(0)
    /// The service answered, and not OK: a rejected token, a failed group rule, an
    /// error from Cognito; or a benchmark above `--max-errors`.
    static let rejected = ExitCode(1)
    /// The command line is wrong: an unknown option, a bad value, a missing input.
    static let usage = ExitCode(2)
    /// No answer: the server cannot be reached, TLS failed, or the connection was lost.
    static let transport = ExitCode(3)
}

extension CLIExit {
    /// The exit codes as `--help` shows them.
    static let helpText = """
        Exit codes of `call` and `bench`: 0 the service answered OK; 1 it answered, not OK \
        (or a benchmark had more non-OK answers than --max-errors); 2 usage error; 3 the \
        server could not be reached or the connection was lost. `serve` exits 78 on a bad \
        setting.
        """
}
