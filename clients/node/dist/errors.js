"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ProtocolError = exports.ClientClosedError = exports.TransportError = exports.DeadlineExceededError = exports.UnavailableError = exports.ResourceExhaustedError = exports.NotFoundError = exports.PermissionDeniedError = exports.UnauthenticatedError = exports.InvalidArgumentError = exports.AuthRpcError = void 0;
// Errors of the Node client (SPEC §4, §10). Two families, so a caller can tell
// "authrpc said no" from "we could not talk to authrpc":
//
// - AuthRpcError: the server answered a non-OK status. `status` is the stable
//   machine-readable kind (a Status name), `errorType` the finer name (a Cognito
//   exception or a SPEC §6 failure), `retryAfterMs` when a retry makes sense. One
//   subclass per status a caller commonly branches on; `instanceof AuthRpcError`
//   and `err.status` work for all of them.
// - TransportError: connecting, writing or reading failed, or the connection
//   dropped with the call in flight. The server may or may not have done the work.
const authrpc_pb_1 = require("./authrpc_pb");
/** The server answered with a status other than OK (SPEC §4 Response). */
class AuthRpcError extends Error {
    /** The status name, e.g. "UNAUTHENTICATED". */
    status;
    /** The numeric Status. */
    code;
    /** For programs: a Cognito exception name or a verification failure name ("" when none). */
    errorType;
    /** Set with RESOURCE_EXHAUSTED / UNAVAILABLE when a retry makes sense (0 otherwise). */
    retryAfterMs;
    requestId;
    constructor(init) {
        const status = authrpc_pb_1.Status[init.status] ?? `STATUS_${init.status}`;
        let text = status;
        if (init.errorType)
            text += ` ${init.errorType}`;
        if (init.message)
            text += `: ${init.message}`;
        super(text);
        this.name = new.target.name;
        this.status = status;
        this.code = init.status;
        this.errorType = init.errorType ?? "";
        this.retryAfterMs = init.retryAfterMs ?? 0;
        this.requestId = init.requestId ?? 0n;
    }
    /** The error for a non-OK answer: the subclass of its status, else AuthRpcError itself. */
    static from(init) {
        switch (init.status) {
            case authrpc_pb_1.Status.INVALID_ARGUMENT: return new InvalidArgumentError(init);
            case authrpc_pb_1.Status.UNAUTHENTICATED: return new UnauthenticatedError(init);
            case authrpc_pb_1.Status.PERMISSION_DENIED: return new PermissionDeniedError(init);
            case authrpc_pb_1.Status.NOT_FOUND: return new NotFoundError(init);
            case authrpc_pb_1.Status.RESOURCE_EXHAUSTED: return new ResourceExhaustedError(init);
            case authrpc_pb_1.Status.UNAVAILABLE: return new UnavailableError(init);
            case authrpc_pb_1.Status.DEADLINE_EXCEEDED: return new DeadlineExceededError(init);
            default: return new AuthRpcError(init);
        }
    }
}
exports.AuthRpcError = AuthRpcError;
class InvalidArgumentError extends AuthRpcError {
}
exports.InvalidArgumentError = InvalidArgumentError;
/** The token or credentials were refused (SPEC §6 steps 1-8, sign-in failures). */
class UnauthenticatedError extends AuthRpcError {
}
exports.UnauthenticatedError = UnauthenticatedError;
/** Valid credentials, not allowed: MissingScope, GroupCheckFailed, CallerNotAllowed. */
class PermissionDeniedError extends AuthRpcError {
}
exports.PermissionDeniedError = PermissionDeniedError;
class NotFoundError extends AuthRpcError {
}
exports.NotFoundError = NotFoundError;
/** Throttled or over a limit; see retryAfterMs. */
class ResourceExhaustedError extends AuthRpcError {
}
exports.ResourceExhaustedError = ResourceExhaustedError;
/** Not ready, or Cognito unreachable; see retryAfterMs. */
class UnavailableError extends AuthRpcError {
}
exports.UnavailableError = UnavailableError;
/**
 * The call's deadline passed: answered DEADLINE_EXCEEDED by the server, or given up
 * by this client (errorType "ClientDeadline"; the server may still do the work).
 */
class DeadlineExceededError extends AuthRpcError {
}
exports.DeadlineExceededError = DeadlineExceededError;
/** Connecting, writing or reading failed; the call's outcome on the server is unknown. */
class TransportError extends Error {
    /** The address the failure concerns, "host:port" ("" when none was reached). */
    address;
    constructor(message, address = "", cause) {
        super(message);
        this.name = new.target.name;
        this.address = address;
        if (cause !== undefined)
            Object.defineProperty(this, "cause", { value: cause, enumerable: false });
    }
}
exports.TransportError = TransportError;
/** The client was closed; no call is sent after close(). */
class ClientClosedError extends TransportError {
}
exports.ClientClosedError = ClientClosedError;
/** A frame from the server did not decode, or was larger than maxFrameBytes (the connection is dropped). */
class ProtocolError extends TransportError {
}
exports.ProtocolError = ProtocolError;
