import { Status } from "./authrpc_pb";
export declare type StatusName = keyof typeof Status;
export interface AuthRpcErrorInit {
    status: Status;
    message?: string;
    errorType?: string;
    retryAfterMs?: number;
    /** The request id the answer carried (0 for a connection-level answer). */
    requestId?: bigint;
}
/** The server answered with a status other than OK (SPEC §4 Response). */
export declare class AuthRpcError extends Error {
    /** The status name, e.g. "UNAUTHENTICATED". */
    readonly status: StatusName;
    /** The numeric Status. */
    readonly code: Status;
    /** For programs: a Cognito exception name or a verification failure name ("" when none). */
    readonly errorType: string;
    /** Set with RESOURCE_EXHAUSTED / UNAVAILABLE when a retry makes sense (0 otherwise). */
    readonly retryAfterMs: number;
    readonly requestId: bigint;
    /** The answer's body when the non-OK answer carried one (Health's when not ready), else undefined. */
    readonly body?: unknown;
    constructor(init: AuthRpcErrorInit);
    /** The error for a non-OK answer: the subclass of its status, else AuthRpcError itself. */
    static from(init: AuthRpcErrorInit): AuthRpcError;
}
export declare class InvalidArgumentError extends AuthRpcError {
}
/** The token or credentials were refused (SPEC §6 steps 1-8, sign-in failures). */
export declare class UnauthenticatedError extends AuthRpcError {
}
/** Valid credentials, not allowed: MissingScope, GroupCheckFailed, CallerNotAllowed. */
export declare class PermissionDeniedError extends AuthRpcError {
}
export declare class NotFoundError extends AuthRpcError {
}
/** Throttled or over a limit; see retryAfterMs. */
export declare class ResourceExhaustedError extends AuthRpcError {
}
/** Not ready, or Cognito unreachable; see retryAfterMs. */
export declare class UnavailableError extends AuthRpcError {
}
/**
 * The call's deadline passed: answered DEADLINE_EXCEEDED by the server, or given up
 * by this client (errorType "ClientDeadline"; the server may still do the work).
 */
export declare class DeadlineExceededError extends AuthRpcError {
}
/** Connecting, writing or reading failed; the call's outcome on the server is unknown. */
export declare class TransportError extends Error {
    /** The address the failure concerns, "host:port" ("" when none was reached). */
    readonly address: string;
    readonly cause?: unknown;
    constructor(message: string, address?: string, cause?: unknown);
}
/** The client was closed; no call is sent after close(). */
export declare class ClientClosedError extends TransportError {
}
/** A frame from the server did not decode, or was larger than maxFrameBytes (the connection is dropped). */
export declare class ProtocolError extends TransportError {
}
