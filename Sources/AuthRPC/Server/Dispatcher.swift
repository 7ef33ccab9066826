import NIOCore
import Wire

/// Routes each request body to its method handler (SPEC §3 rules for bodies that
/// are missing, unknown, or not built yet).
public struct Dispatcher: Sendable {
    private var handlers: [(any MethodHandler)?] = Array(repeating: nil, count: Method.allCases.count)
    /// The connection this dispatcher serves; the server binds a copy to each
    /// connection (`bound(to:)`), so every request knows its peer and caller (SPEC §8).
    public private(set) var connection = ConnectionInfo()

    public init() {}

    public init(_ table: [Method: any MethodHandler]) {
        for (method, handler) in table { handlers[method.rawValue] = handler }
    }

    public subscript(method: Method) -> (any MethodHandler)? {
        get { handlers[method.rawValue] }
        set { handlers[method.rawValue] = newValue }
    }

    /// This table, serving requests of `connection`.
    public func bound(to connection: ConnectionInfo) -> Dispatcher {
        var copy = self
        copy.connection = connection
        return copy
    }

    public func dispatch(_ request: Request, on eventLoop: any EventLoop) -> Reply {
        guard let body = request.body else {
            return .now(.failure(id: request.id, .invalidArgument, errorType: "MissingBody",
                                 message: "the request carries no body: set exactly one method"))
        }
        guard let method = Method(body) else {
            return .now(.failure(id: request.id, .unimplemented, errorType: "UnknownMethod",
                                 message: "this server does not know request body \(body.methodName); it may be older than the client"))
        }
        guard let handler = handlers[method.rawValue] else {
            return .now(.failure(id: request.id, .unimplemented, errorType: "NotImplemented",
                                 message: "\(body.methodName) is not implemented by this server yet"))
        }
        return handler.handle(request, connection: connection, on: eventLoop)
    }
}
