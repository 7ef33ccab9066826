import NIOCore
import Wire

/// Routes each request to its method on the service (SPEC §3 rules for bodies that are
/// missing or unknown). The switch over every body is generated (`route`, in
/// Generated/Service.swift) and has no default: a new RPC does not compile until the
/// service implements it.
public struct Dispatcher: Sendable {
    let service: any AuthRPCServiceProtocol

    public init(service: any AuthRPCServiceProtocol) {
        self.service = service
    }

    public func dispatch(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard let body = request.body else {
            return .now(.failure(id: request.id, .invalidArgument, errorType: "MissingBody",
                                 message: "the request carries no body: set exactly one method"))
        }
        return route(body, id: request.id, deadlineMs: request.deadlineMs, on: eventLoop)
    }

    /// A body field this build does not know: a newer client (SPEC §3).
    func unrecognized(_ fieldNumber: UInt32, id: UInt64) -> Reply {
        .now(.failure(id: id, .unimplemented, errorType: "UnknownMethod",
                      message: "this server does not know request body field \(fieldNumber); it may be older than the client"))
    }
}
