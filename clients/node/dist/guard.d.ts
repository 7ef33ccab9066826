import { AuthOptions, AuthFailure } from "./auth";
import type { AuthRpcClient } from "./client";
/** The part of NestJS's ExecutionContext the guard uses. */
export interface HttpExecutionContext {
    switchToHttp(): {
        getRequest<T = unknown>(): T;
        getResponse<T = unknown>(): T;
    };
}
export interface GuardOptions extends Omit<AuthOptions, "client"> {
    /** Builds what canActivate throws for a refused request (default: AuthRpcHttpError). */
    exceptionFactory?: (failure: AuthFailure) => unknown;
}
/** What the guard throws: Nest's exception filter answers with `statusCode`. */
export declare class AuthRpcHttpError extends Error {
    readonly statusCode: number;
    readonly failure: AuthFailure;
    constructor(failure: AuthFailure);
    getStatus(): number;
    getResponse(): object;
}
export declare class AuthRpcGuard {
    private readonly options;
    private readonly exceptionFactory;
    constructor(client: AuthRpcClient, options?: GuardOptions);
    /** NestJS CanActivate: true with `req.auth` set, else throws (never answers 500 for a bad token). */
    canActivate(context: HttpExecutionContext): Promise<boolean>;
}
/** ~ @nestjs-cognito/auth's @Authentication(): any valid token (of `tokenUse`, with `scopes`). */
export declare function Authentication(client: AuthRpcClient, options?: Omit<GuardOptions, "allowedGroups" | "requiredGroups" | "prohibitedGroups">): AuthRpcGuard;
/** ~ @nestjs-cognito/auth's @Authorization(): a list means allowedGroups; every rule given applies. */
export declare function Authorization(client: AuthRpcClient, groups: string[] | GuardOptions): AuthRpcGuard;
