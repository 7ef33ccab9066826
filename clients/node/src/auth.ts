// The decision the middleware and the guard share (SPEC §10): from an
// Authorization header to either the verified claims or the HTTP answer to give.
//
//   no / garbled Bearer header, UNAUTHENTICATED, INVALID_ARGUMENT   → 401
//   PERMISSION_DENIED (MissingScope, GroupCheckFailed, ...)         → 403
//   UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, a transport
//   failure, any other status                                        → 503 + Retry-After
//
// It fails closed: nothing but an OK answer from authrpc lets a request through.
import { Claims, TokenUse } from "./authrpc_pb";
import { AuthRpcError, TransportError } from "./errors";
import type { AuthRpcClient, CallOptions } from "./client";

export type TokenUseName = "id" | "access" | "any";

export interface AuthOptions {
  /** The client that asks authrpc. */
  client: AuthRpcClient;
  /** Which token the route takes (default "any": id or access, as the server's default). */
  tokenUse?: TokenUseName | TokenUse;
  /** Scopes the access token must all carry (SPEC §6 step 9). */
  scopes?: string[];
  /** The user must be in at least one of these groups. */
  allowedGroups?: string[];
  /** The user must be in every one of these groups. */
  requiredGroups?: string[];
  /** The user must be in none of these groups. */
  prohibitedGroups?: string[];
  /** Deadline of the authrpc call in ms (default: the client's). */
  deadlineMs?: number;
  /** Retry-After (seconds) on a 503 when authrpc gave no retry_after_ms (default 1). */
  retryAfterSeconds?: number;
}

/** What a verified request carries (`req.auth`). */
export interface AuthInfo {
  /** The verified claims (SPEC §4 Claims). 64-bit fields are bigint; `claimsToJson` gives a JSON-safe view. */
  claims: Claims;
  /** The groups that satisfied allowedGroups/requiredGroups (empty without group rules). */
  matchedGroups: string[];
  /** The bearer token as received. */
  token: string;
  /** The token's JWT payload as signed (parsed from claims.payloadJson on first use). */
  readonly payload: { [claim: string]: unknown };
}

/** The HTTP answer for a request that does not pass. */
export interface AuthFailure {
  statusCode: 401 | 403 | 503;
  /** Headers to set: WWW-Authenticate (RFC 6750) on 401/403, Retry-After on 503. */
  headers: { [name: string]: string };
  /** A short reason safe to show the caller (never the token). */
  message: string;
  /** authrpc's error_type, or "MissingToken", "Unreachable" ("" when none). */
  errorType: string;
  /** The error behind it, for logs (absent for a missing header). */
  cause?: unknown;
}

export type AuthResult = { ok: true; auth: AuthInfo } | { ok: false; failure: AuthFailure };

/** Headers as node:http, Express and NestJS requests carry them. */
export interface HeaderBag {
  headers: { [name: string]: string | string[] | undefined };
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or undefined. */
export function bearerToken(req: HeaderBag): string | undefined {
  const value = req.headers["authorization"];
  if (typeof value !== "string") return undefined;
  const m = BEARER.exec(value);
  return m ? m[1] : undefined;
}

function tokenUseOf(use: AuthOptions["tokenUse"]): TokenUse {
  switch (use) {
    case undefined: case "any": return TokenUse.TOKEN_USE_ANY;
    case "id": return TokenUse.TOKEN_USE_ID;
    case "access": return TokenUse.TOKEN_USE_ACCESS;
    default: return use;
  }
}

/** Checks one request against the options; never throws. */
export async function authorize(req: HeaderBag, options: AuthOptions): Promise<AuthResult> {
  const token = bearerToken(req);
  if (token === undefined) {
    const garbled = req.headers["authorization"] !== undefined;
    return fail(401, garbled ? "the Authorization header is not a Bearer token" : "a Bearer token is required",
      garbled ? "MalformedHeader" : "MissingToken", options, garbled ? 'Bearer error="invalid_request"' : "Bearer");
  }
  const tokenUse = tokenUseOf(options.tokenUse);
  const callOptions: CallOptions = options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs };
  const groups = {
    allowedGroups: options.allowedGroups ?? [],
    requiredGroups: options.requiredGroups ?? [],
    prohibitedGroups: options.prohibitedGroups ?? [],
  };
  const scopes = options.scopes ?? [];
  const checkGroups = groups.allowedGroups.length + groups.requiredGroups.length + groups.prohibitedGroups.length > 0;
  try {
    if (!checkGroups) {
      const answer = await options.client.verifyToken({ token, tokenUse, requiredScopes: scopes }, callOptions);
      return ok(answer.claims, [], token);
    }
    // CheckGroupsRequest has no required_scopes: with scopes too, both calls go out
    // together (pipelined; the second hits the server's verified-token cache) and both must pass.
    const [grouped] = await Promise.all([
      options.client.checkGroups({ token, tokenUse, ...groups }, callOptions),
      scopes.length > 0 ? options.client.verifyToken({ token, tokenUse, requiredScopes: scopes }, callOptions) : undefined,
    ]);
    return ok(grouped.claims, grouped.matchedGroups, token);
  } catch (err) {
    return failureOf(err, options);
  }
}

function ok(claims: Claims | undefined, matchedGroups: string[], token: string): AuthResult {
  if (claims === undefined) {
    // An OK answer without claims would be a server bug; do not let the request through.
    return { ok: false, failure: { statusCode: 503, headers: { "Retry-After": "1" }, message: "authrpc answered without claims", errorType: "NoClaims" } };
  }
  let payload: { [claim: string]: unknown } | undefined;
  const auth: AuthInfo = {
    claims,
    matchedGroups,
    token,
    get payload() {
      if (payload === undefined) {
        try { payload = JSON.parse(claims.payloadJson) as { [claim: string]: unknown }; } catch { payload = {}; }
      }
      return payload;
    },
  };
  return { ok: true, auth };
}

function failureOf(err: unknown, options: AuthOptions): AuthResult {
  if (err instanceof AuthRpcError) {
    switch (err.status) {
      case "UNAUTHENTICATED":
      case "INVALID_ARGUMENT":
        return fail(401, "the token was refused", err.errorType, options, 'Bearer error="invalid_token"', err);
      case "PERMISSION_DENIED":
        return fail(403, err.errorType === "MissingScope" ? "the token lacks a required scope" : "not allowed",
          err.errorType, options, err.errorType === "MissingScope" ? 'Bearer error="insufficient_scope"' : undefined, err);
      default:
        return unavailable(err.errorType || err.status, options, err, err.retryAfterMs);
    }
  }
  if (err instanceof TransportError) return unavailable("Unreachable", options, err, 0);
  return unavailable("ClientError", options, err, 0);
}

function unavailable(errorType: string, options: AuthOptions, cause: unknown, retryAfterMs: number): AuthResult {
  const seconds = retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : (options.retryAfterSeconds ?? 1);
  return {
    ok: false,
    failure: { statusCode: 503, headers: { "Retry-After": String(seconds) }, message: "authentication is unavailable, retry later", errorType, cause },
  };
}

function fail(statusCode: 401 | 403, message: string, errorType: string, options: AuthOptions,
              wwwAuthenticate: string | undefined, cause?: unknown): AuthResult {
  void options;
  const headers: { [name: string]: string } = {};
  if (wwwAuthenticate) headers["WWW-Authenticate"] = wwwAuthenticate;
  return { ok: false, failure: { statusCode, headers, message, errorType, cause } };
}
