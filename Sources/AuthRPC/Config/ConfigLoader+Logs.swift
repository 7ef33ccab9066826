extension ServiceConfig.Key {
    public static let logFormat = "AUTHRPC_LOG_FORMAT"
    public static let accessLog = "AUTHRPC_ACCESS_LOG"
}

extension ServiceConfig {
    /// How log records are written (SPEC §9).
    public enum LogFormat: String, Sendable, CaseIterable {
        /// swift-log's `StreamLogHandler` lines, for people.
        case text
        /// One JSON object a line (`JSONLogHandler`), for log shippers and `jq`.
        case json
    }

    /// Which answered requests get an access line (SPEC §9).
    public enum AccessLogMode: String, Sendable, CaseIterable {
        case off
        /// Every answer that is not `OK`: a burst of `BadSignature` is visible at the
        /// default level, and a successful request costs one comparison.
        case failures
        case all
    }

    /// SPEC §9 log settings; every bad value is a problem collected with the others.
    static func loadLogSettings(into config: inout ServiceConfig, reader: inout SettingsReader) {
        if let text = reader.string(Key.logFormat) {
            if let format = LogFormat(rawValue: text.lowercased()) {
                config.logFormat = format
            } else {
                reader.problem("\(Key.logFormat) must be text or json (got \"\(text)\")")
            }
        }
        if let text = reader.string(Key.accessLog) {
            if let mode = AccessLogMode(rawValue: text.lowercased()) {
                config.accessLog = mode
            } else {
                reader.problem("\(Key.accessLog) must be off, failures or all (got \"\(text)\")")
            }
        }
    }
}
