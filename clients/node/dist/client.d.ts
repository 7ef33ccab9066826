import { Rpcs } from "./authrpc_pb";
import { Address, TlsOptions } from "./connection";
export interface ClientOptions {
    /** Where authrpc listens: "host:port" or {host, port}, one or several (replicas). */
    addresses: string | Address | (string | Address)[];
    /** TLS towards the server; absent: plain TCP (loopback only, SPEC §8). */
    tls?: TlsOptions;
    /** Deadline of a call that gives none, in ms (default 5000; 0: none). Sent to the server as deadline_ms. */
    deadlineMs?: number;
    /** Time to open one connection, in ms (default 2000). */
    connectTimeoutMs?: number;
    /** Reconnect backoff: the first wait and the longest, in ms (default 50 and 2000), doubled each failed round, jittered. */
    backoff?: {
        initialMs?: number;
        maxMs?: number;
    };
    /** Largest request frame sent (default 65536, the server's default limit; larger calls fail at once). */
    maxRequestBytes?: number;
    /** Largest answer frame accepted (default 4 MiB). */
    maxResponseBytes?: number;
    /**
     * Send a read-only call (Health, VerifyToken, CheckGroups) once more, on a connection to
     * the next address, when its connection drops or a draining server turns it away
     * (`ShuttingDown`), within its deadline (default true). Other RPCs are never sent twice.
     */
    retryReadOnly?: boolean;
    /**
     * W3C `traceparent` ("00-<32 hex>-<16 hex>-<2 hex>", SPEC §9) sent with every call that
     * gives none. The server logs its trace id in the access and audit lines and forwards it
     * nowhere; one that does not parse is ignored, not refused.
     */
    traceparent?: string;
}
export interface CallOptions {
    /** This call's deadline in ms (overrides the client's; 0: none). */
    deadlineMs?: number;
    /** Aborts the call: it rejects with `signal.reason`. */
    signal?: AbortSignal;
    /** This call's W3C `traceparent` (overrides the client's; see ClientOptions.traceparent). */
    traceparent?: string;
}
declare type Method = keyof Rpcs;
declare type RpcApi = {
    [K in Method]: (request: Rpcs[K]["request"], options?: CallOptions) => Promise<Rpcs[K]["response"]>;
};
export declare class AuthRpcClient implements RpcApi {
    private readonly addresses;
    private readonly tls;
    private readonly deadlineMs;
    private readonly traceparent;
    private readonly connectTimeoutMs;
    private readonly backoffInitialMs;
    private readonly backoffMaxMs;
    private readonly maxRequestBytes;
    private readonly maxResponseBytes;
    private readonly retryReadOnly;
    private state;
    private cursor;
    private failedRounds;
    private nextId;
    private readonly calls;
    private waiting;
    private readonly inFlight;
    private readonly draining;
    private closing;
    constructor(options: ClientOptions);
    health(request?: Rpcs["health"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").HealthResponse>;
    register(request: Rpcs["register"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").RegisterResponse>;
    confirmRegistration(request: Rpcs["confirmRegistration"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").ConfirmRegistrationResponse>;
    resendConfirmationCode(request: Rpcs["resendConfirmationCode"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").ResendConfirmationCodeResponse>;
    authenticate(request: Rpcs["authenticate"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").AuthenticateResponse>;
    respondToChallenge(request: Rpcs["respondToChallenge"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").AuthenticateResponse>;
    refreshTokens(request: Rpcs["refreshTokens"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").AuthenticateResponse>;
    signOut(request: Rpcs["signOut"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").SignOutResponse>;
    forgotPassword(request: Rpcs["forgotPassword"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").ForgotPasswordResponse>;
    confirmForgotPassword(request: Rpcs["confirmForgotPassword"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").ConfirmForgotPasswordResponse>;
    verifyToken(request: Rpcs["verifyToken"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").VerifyTokenResponse>;
    checkGroups(request: Rpcs["checkGroups"]["request"], options?: CallOptions): Promise<import("./authrpc_pb").CheckGroupsResponse>;
    /** Any RPC by its name (the Request body member's name). */
    call<K extends Method>(method: K, request: Rpcs[K]["request"], options?: CallOptions): Promise<Rpcs[K]["response"]>;
    /**
     * Stops taking calls, lets the calls already made finish (each within its deadline),
     * then closes the connection. Calls made after close() reject with ClientClosedError.
     */
    close(): Promise<void>;
    /** Closes now: every call not yet answered rejects with ClientClosedError. */
    destroy(): void;
    /** The address of the open connection ("" when none). */
    get connectedAddress(): string;
    private dispatch;
    private send;
    private onFrame;
    /** Sends a call again, under a new id, on whichever connection is next. */
    private retry;
    /** The call is no longer in flight on its connection. */
    private unsend;
    private expire;
    private finish;
    private connect;
    private onClosed;
    private reconnectAfterDrop;
    private retryable;
    /**
     * The server is draining this connection (SPEC §3 shutdown): it answers what it has
     * and closes. New calls go to a new connection, to the next address first.
     */
    private onDraining;
    private scheduleReconnect;
    private maybeFinishClosing;
    private shutDown;
}
export {};
