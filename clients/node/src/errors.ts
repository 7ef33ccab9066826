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
import { Status } from "./authrpc_pb";

export type StatusName = keyof typeof Status;

export interface AuthRpcErrorInit {
  status: Status;
  message?: string;
  errorType?: string;
  retryAfterMs?: number;
  /** The request id the answer carried (0 for a connection-level answer). */
  requestId?: bigint;
}

/** The server answered with a status other than OK (SPEC §4 Response). */
export class AuthRpcError extends Error {
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
  declare readonly body?: unknown;

  constructor(init: AuthRpcErrorInit) {
    const status = (Status[init.status] as StatusName | undefined) ?? (`STATUS_${init.status}` as StatusName);
    let text: string = status;
    if (init.errorType) text += ` ${init.errorType}`;
    if (init.message) text += `: ${init.message}`;
    super(text);
    this.name = new.target.name;
    this.status = status;
    this.code = init.status;
    this.errorType = init.errorType ?? "";
    this.retryAfterMs = init.retryAfterMs ?? 0;
    this.requestId = init.requestId ?? 0n;
  }

  /** The error for a non-OK answer: the subclass of its status, else AuthRpcError itself. */
  static from(init: AuthRpcErrorInit): AuthRpcError {
    switch (init.status) {
      case Status.INVALID_ARGUMENT: return new InvalidArgumentError(init);
      case Status.UNAUTHENTICATED: return new UnauthenticatedError(init);
      case Status.PERMISSION_DENIED: return new PermissionDeniedError(init);
      case Status.NOT_FOUND: return new NotFoundError(init);
      case Status.RESOURCE_EXHAUSTED: return new ResourceExhaustedError(init);
      case Status.UNAVAILABLE: return new UnavailableError(init);
      case Status.DEADLINE_EXCEEDED: return new DeadlineExceededError(init);
      default: return new AuthRpcError(init);
    }
  }
}

export class InvalidArgumentError extends AuthRpcError {}
/** The token or credentials were refused (SPEC §6 steps 1-8, sign-in failures). */
export class UnauthenticatedError extends AuthRpcError {}
/** Valid credentials, not allowed: MissingScope, GroupCheckFailed, CallerNotAllowed. */
export class PermissionDeniedError extends AuthRpcError {}
export class NotFoundError extends AuthRpcError {}
/** Throttled or over a limit; see retryAfterMs. */
export class ResourceExhaustedError extends AuthRpcError {}
/** Not ready, or Cognito unreachable; see retryAfterMs. */
export class UnavailableError extends AuthRpcError {}
/**
 * The call's deadline passed: answered DEADLINE_EXCEEDED by the server, or given up
 * by this client (errorType "ClientDeadline"; the server may still do the work).
 */
export class DeadlineExceededError extends AuthRpcError {}

/** Connecting, writing or reading failed; the call's outcome on the server is unknown. */
export class TransportError extends Error {
  /** The address the failure concerns, "host:port" ("" when none was reached). */
  readonly address: string;
  declare readonly cause?: unknown;

  constructor(message: string, address = "", cause?: unknown) {
    super(message);
    this.name = new.target.name;
    this.address = address;
    if (cause !== undefined) Object.defineProperty(this, "cause", { value: cause, enumerable: false });
  }
}

/** The client was closed; no call is sent after close(). */
export class ClientClosedError extends TransportError {}

/** A frame from the server did not decode, or was larger than maxFrameBytes (the connection is dropped). */
export class ProtocolError extends TransportError {}
