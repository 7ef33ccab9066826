import { AuthOptions, AuthInfo, AuthFailure, HeaderBag } from "./auth";
declare global {
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
export declare type Next = (err?: unknown) => void;
export interface RequireAuthOptions extends AuthOptions {
    /**
     * Answers a refused request instead of the default JSON body
     * `{"statusCode":401,"error":"Unauthorized","message":"...","errorType":"TokenExpired"}`.
     * The status code and headers (WWW-Authenticate, Retry-After) are set before it runs.
     */
    onFailure?: (failure: AuthFailure, req: AuthRequest, res: AuthResponse) => void;
}
/** Writes the refusal: status, headers, a small JSON body. */
export declare function sendFailure(res: AuthResponse, failure: AuthFailure): void;
/**
 * `app.get("/orders", requireAuth({ client, allowedGroups: ["staff"] }), handler)`, or with
 * node:http: `requireAuth(opts)(req, res, () => handler(req, res))`.
 */
export declare function requireAuth(options: RequireAuthOptions): (req: AuthRequest, res: AuthResponse, next: Next) => void;
