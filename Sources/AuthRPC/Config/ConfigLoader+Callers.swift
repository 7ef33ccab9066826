extension ServiceConfig.Key {
    public static let policyFile = "AUTHRPC_POLICY_FILE"
    public static let signInRate = "AUTHRPC_SIGNIN_RATE"
    public static let callerRate = "AUTHRPC_CALLER_RATE"
    public static let maxConnectionAge = "AUTHRPC_MAX_CONNECTION_AGE_S"
}

extension ServiceConfig {
    /// SPEC §8 settings, and the connection age of SPEC §9: the caller policy (read and checked now, so a bad file stops
    /// start-up like any other bad setting) and the rate limits.
    static func loadCallerSettings(into config: inout ServiceConfig, reader: inout SettingsReader) {
        if let path = reader.string(Key.policyFile) {
            config.policyFile = path
            do {
                config.callerPolicy = try CallerPolicy.load(path: path)
            } catch {
                for problem in error.problems { reader.problem("\(Key.policyFile): \(problem)") }
            }
        }
        config.signInRate = rate(Key.signInRate, default: config.signInRate, reader: &reader)
        config.callerRate = rate(Key.callerRate, default: config.callerRate, reader: &reader)
        let age = reader.int(Key.maxConnectionAge, default: 0, in: 0...604_800)
        config.maxConnectionAge = age == 0 ? nil : .seconds(age)
    }

    private static func rate(_ key: String, default value: RateLimit?, reader: inout SettingsReader) -> RateLimit? {
        guard let text = reader.string(key) else { return value }
        switch RateLimit.parse(text) {
        case .success(let rate):
            return rate
        case .failure:
            reader.problem("\(key) must be \(RateLimitSyntaxError.expected) (got \"\(text)\")")
            return value
        }
    }
}
