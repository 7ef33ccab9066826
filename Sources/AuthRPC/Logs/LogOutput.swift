public import Logging

/// Where every `Logger` of the process writes (SPEC §9): standard error, as text or as
/// JSON lines, at the configured level. The executable calls this once, before any
/// logger is made.
public enum LogOutput {
    public static func bootstrap(format: ServiceConfig.LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in handler(label: label, format: format, level: level) }
    }

    static func handler(label: String, format: ServiceConfig.LogFormat, level: Logger.Level) -> any LogHandler {
        switch format {
        case .text:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        case .json:
            var handler = JSONLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
