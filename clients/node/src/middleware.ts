// Express / node:http middleware (SPEC §10): `requireAuth(options)` reads the
// Bearer token, asks authrpc, and either puts the verified claims on `req.auth`
// and calls next(), or answers 401 / 403 / 503 (+ Retry-After) itself. It never
// answers 500 for a bad token and never passes a request authrpc did not accept.
import { AuthOptions, AuthInfo, AuthFailure, HeaderBag, authorize } from "./auth";

declare global {
  // Express's Request (from @types/express, when the app has it) gains `auth`, as
  // @types/passport adds `user`; without @types/express this declares nothing used.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by requireAuth on the requests it lets through. */
      auth?: AuthInfo;
    }
  }
}

/** A request as node:http and Express hand it over. */
export interface AuthRequest extends HeaderBag {
  auth?: AuthInfo;
}

/** The parts of node:http's ServerResponse (and Express's res) the middleware uses. */
export interface AuthResponse {
  statusCode: number;
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

export type Next = (err?: unknown) => void;

export interface RequireAuthOptions extends AuthOptions {
  /**
   * Answers a refused request instead of the default JSON body
   * `{"statusCode":401,"error":"Unauthorized","message":"...","errorType":"TokenExpired"}`.
   * The status code and headers (WWW-Authenticate, Retry-After) are set before it runs.
   */
  onFailure?: (failure: AuthFailure, req: AuthRequest, res: AuthResponse) => void;
}

const REASONS = { 401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable" } as const;

/** Writes the refusal: status, headers, a small JSON body. */
export function sendFailure(res: AuthResponse, failure: AuthFailure): void {
  if (res.headersSent) return;
  res.statusCode = failure.statusCode;
  for (const [name, value] of Object.entries(failure.headers)) res.setHeader(name, value);
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.end(JSON.stringify({
    statusCode: failure.statusCode,
    error: REASONS[failure.statusCode],
    message: failure.message,
    errorType: failure.errorType,
  }));
}

/**
 * `app.get("/orders", requireAuth({ client, allowedGroups: ["staff"] }), handler)`, or with
 * node:http: `requireAuth(opts)(req, res, () => handler(req, res))`.
 */
export function requireAuth(options: RequireAuthOptions) {
  if (!options || !options.client) throw new TypeError("requireAuth: options.client (an AuthRpcClient) is required");
  return function authrpcRequireAuth(req: AuthRequest, res: AuthResponse, next: Next): void {
    authorize(req, options).then(
      (result) => {
        if (result.ok) {
          req.auth = result.auth;
          next();
        } else {
          res.statusCode = result.failure.statusCode;
          if (options.onFailure) {
            for (const [name, value] of Object.entries(result.failure.headers)) res.setHeader(name, value);
            options.onFailure(result.failure, req, res);
          } else {
            sendFailure(res, result.failure);
          }
        }
      },
      (err) => next(err), // authorize never rejects; a throwing onFailure or next lands here
    );
  };
}
