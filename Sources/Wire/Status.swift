/// Outcome of one request (SPEC §4 `Status`). Raw values are the wire numbers.
public enum Status: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case invalidArgument = 1
    case unauthenticated = 2
    case permissionDenied = 3
    case notFound = 4
    case alreadyExists = 5
    case failedPrecondition = 6
    case resourceExhausted = 7
    case unavailable = 8
    case deadlineExceeded = 9
    case unimplemented = 10
    case `internal` = 11

    /// The proto enum name, as clients in other languages print it.
    public var description: String {
        switch self {
        case .ok: "OK"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .unauthenticated: "UNAUTHENTICATED"
        case .permissionDenied: "PERMISSION_DENIED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .unavailable: "UNAVAILABLE"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        }
    }

    /// Unknown numbers from a newer peer read as `.internal` rather than failing the decode.
    public init(wire: Int32) { self = Status(rawValue: wire) ?? .internal }
}

/// Which kind of Cognito token a caller expects (SPEC §4 `TokenUse`).
public enum TokenUse: Int32, Sendable, CaseIterable {
    case any = 0
    case id = 1
    case access = 2

    public init(wire: Int32) { self = TokenUse(rawValue: wire) ?? .any }
}
