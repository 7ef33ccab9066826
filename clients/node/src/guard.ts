// A guard of NestJS's CanActivate shape on the same decision as requireAuth
// (SPEC §10), with the options of @nestjs-cognito/auth's decorators:
//
//   @UseGuards(Authentication(authrpc))                                    ~ @Authentication()
//   @UseGuards(Authorization(authrpc, ["admins"]))                         ~ @Authorization(["admins"])
//   @UseGuards(Authorization(authrpc, { allowedGroups, requiredGroups, prohibitedGroups }))
//
// Unlike @nestjs-cognito/auth, allowedGroups and requiredGroups both apply when both
// are given (authrpc's CheckGroups requires every rule given to hold).
//
// NestJS is not a dependency: the guard uses only the ExecutionContext methods it
// needs. A refused request throws an error carrying `statusCode` and `message` (and
// `getStatus()` / `getResponse()` like Nest's HttpException), which Nest's default
// exception filter answers with that status; Retry-After / WWW-Authenticate are set
// on the response first. `exceptionFactory` may return Nest's own exceptions instead.
import { AuthOptions, AuthFailure, authorize } from "./auth";
import type { AuthRequest, AuthResponse } from "./middleware";
import type { AuthRpcClient } from "./client";

/** The part of NestJS's ExecutionContext the guard uses. */
export interface HttpExecutionContext {
  switchToHttp(): { getRequest<T = unknown>(): T; getResponse<T = unknown>(): T };
}

export interface GuardOptions extends Omit<AuthOptions, "client"> {
  /** Builds what canActivate throws for a refused request (default: AuthRpcHttpError). */
  exceptionFactory?: (failure: AuthFailure) => unknown;
}

/** What the guard throws: Nest's exception filter answers with `statusCode`. */
export class AuthRpcHttpError extends Error {
  readonly statusCode: number;
  readonly failure: AuthFailure;
  constructor(failure: AuthFailure) {
    super(failure.message);
    this.name = "AuthRpcHttpError";
    this.statusCode = failure.statusCode;
    this.failure = failure;
  }
  getStatus(): number {
    return this.statusCode;
  }
  getResponse(): object {
    return { statusCode: this.statusCode, message: this.message, errorType: this.failure.errorType };
  }
}

export class AuthRpcGuard {
  private readonly options: AuthOptions;
  private readonly exceptionFactory: (failure: AuthFailure) => unknown;

  constructor(client: AuthRpcClient, options: GuardOptions = {}) {
    const { exceptionFactory, ...rest } = options;
    this.options = { ...rest, client };
    this.exceptionFactory = exceptionFactory ?? ((failure) => new AuthRpcHttpError(failure));
  }

  /** NestJS CanActivate: true with `req.auth` set, else throws (never answers 500 for a bad token). */
  async canActivate(context: HttpExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<AuthRequest>();
    const result = await authorize(req, this.options);
    if (result.ok) {
      req.auth = result.auth;
      return true;
    }
    const res = http.getResponse<Partial<AuthResponse> | undefined>();
    if (res && typeof res.setHeader === "function" && !res.headersSent) {
      for (const [name, value] of Object.entries(result.failure.headers)) res.setHeader(name, value);
    }
    throw this.exceptionFactory(result.failure);
  }
}

/** ~ @nestjs-cognito/auth's @Authentication(): any valid token (of `tokenUse`, with `scopes`). */
export function Authentication(client: AuthRpcClient, options: Omit<GuardOptions, "allowedGroups" | "requiredGroups" | "prohibitedGroups"> = {}): AuthRpcGuard {
  return new AuthRpcGuard(client, options);
}

/** ~ @nestjs-cognito/auth's @Authorization(): a list means allowedGroups; every rule given applies. */
export function Authorization(client: AuthRpcClient, groups: string[] | GuardOptions): AuthRpcGuard {
  const options = Array.isArray(groups) ? { allowedGroups: groups } : groups;
  const any = (options.allowedGroups?.length ?? 0) + (options.requiredGroups?.length ?? 0) + (options.prohibitedGroups?.length ?? 0);
  if (any === 0) throw new TypeError("Authorization: give allowedGroups, requiredGroups or prohibitedGroups");
  return new AuthRpcGuard(client, options);
}
