// authrpc client for Node 20 (SPEC §10). No dependency outside Node's standard library.
export { AuthRpcClient } from "./client";
export type { ClientOptions, CallOptions } from "./client";
export type { Address, TlsOptions } from "./connection";
export {
  AuthRpcError, InvalidArgumentError, UnauthenticatedError, PermissionDeniedError, NotFoundError,
  ResourceExhaustedError, UnavailableError, DeadlineExceededError,
  TransportError, ClientClosedError, ProtocolError,
} from "./errors";
export type { StatusName, AuthRpcErrorInit } from "./errors";
export { authorize, bearerToken } from "./auth";
export type { AuthOptions, AuthInfo, AuthFailure, AuthResult, HeaderBag, TokenUseName } from "./auth";
export { requireAuth, sendFailure } from "./middleware";
export type { RequireAuthOptions, AuthRequest, AuthResponse, Next } from "./middleware";
export { AuthRpcGuard, AuthRpcHttpError, Authentication, Authorization } from "./guard";
export type { GuardOptions, HttpExecutionContext } from "./guard";
export * as pb from "./authrpc_pb";
export { Status, TokenUse, claimsToJson } from "./authrpc_pb";
export type { Claims, Tokens } from "./authrpc_pb";
