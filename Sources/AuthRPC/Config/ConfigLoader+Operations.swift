import Foundation

extension ServiceConfig.Key {
    public static let adminListen = "AUTHRPC_ADMIN_LISTEN"
    public static let metrics = "AUTHRPC_METRICS"
}

extension ServiceConfig {
    /// SPEC §9 settings: where the admin listener binds (set but empty: no listener) and
    /// whether requests are counted.
    static func loadOperationsSettings(into config: inout ServiceConfig, reader: inout SettingsReader) {
        if let raw = reader.settings[Key.adminListen] {
            let text = raw.trimmingCharacters(in: .whitespaces)
            if text.isEmpty {
                config.adminListen = nil
            } else if let (host, port) = parseHostPort(text) {
                config.adminListen = (host, port)
            } else {
                reader.problem("\(Key.adminListen) must be HOST:PORT with a port from 0 to 65535, or empty to disable it (got \"\(text)\")")
            }
        }
        if let text = reader.string(Key.metrics) {
            switch text.lowercased() {
            case "on": config.metricsEnabled = true
            case "off": config.metricsEnabled = false
            default: reader.problem("\(Key.metrics) must be on or off (got \"\(text)\")")
            }
        }
        if let admin = config.adminListen, admin.port == config.listenPort, admin.port != 0,
           admin.host == config.listenHost {
            reader.problem("\(Key.adminListen) must differ from \(Key.listen): the admin listener never shares the RPC port")
        }
    }
}
