/// Who a request is counted against for rate limits and the Cognito share: the TLS
/// caller identity when the connection has one, else the peer's IP address (all
/// connections of one plaintext host are one caller).
struct CallerKey: Hashable, Sendable, CustomStringConvertible {
    let text: String

    init(_ connection: ConnectionInfo) {
        if let identity = connection.caller?.name {
            text = identity
        } else if let ip = connection.peer?.ipAddress {
            text = "ip:" + ip
        } else {
            text = "unknown"
        }
    }

    var description: String { text }
}
