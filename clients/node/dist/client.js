"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.AuthRpcClient = void 0;
// The authrpc client for Node (SPEC §3, §10): one connection at a time to one of
// a list of addresses, many calls in flight on it (ids, pipelining), per-call
// deadlines and AbortSignals, reconnect with jittered backoff.
//
// What a call can see:
// - the answer, or AuthRpcError (a subclass per status) for a non-OK answer;
// - DeadlineExceededError when its deadline passes first, or `signal.reason` when aborted;
// - TransportError when no address could be reached, or when the connection it was
//   sent on dropped before the answer. Never another call's answer: answers are matched
//   by id and by the connection the call was sent on, and ids are not reused.
//
// A read-only call (Health, VerifyToken, CheckGroups) whose connection drops, or that a
// draining server turns away (`UNAVAILABLE`/`ShuttingDown`, SPEC §3), is sent once more
// under a new id, on a connection to the next address, within its deadline: a replica's
// restart costs its callers nothing. Other RPCs (sign-in, sign-up, ...) are never sent
// twice: the server may have done them, so they fail and the caller decides.
const authrpc_pb_1 = require("./authrpc_pb");
const errors_1 = require("./errors");
const connection_1 = require("./connection");
/** RPCs that change nothing: sent again when a draining server turned them away. */
const READ_ONLY = new Set(["health", "verifyToken", "checkGroups"]);
class AuthRpcClient {
    addresses;
    tls;
    deadlineMs;
    traceparent;
    connectTimeoutMs;
    backoffInitialMs;
    backoffMaxMs;
    maxRequestBytes;
    maxResponseBytes;
    retryReadOnly;
    state = { kind: "idle" };
    cursor; // index of the address to try first
    failedRounds = 0;
    nextId = 1;
    calls = new Map();
    waiting = []; // not sent yet: no connection
    inFlight = new Map(); // calls sent, not answered, per open connection
    draining = new Set(); // said ShuttingDown: no new calls, answers still read
    closing;
    constructor(options) {
        const list = Array.isArray(options.addresses) ? options.addresses : [options.addresses];
        if (list.length === 0)
            throw new TypeError("authrpc: no address given");
        this.addresses = list.map(connection_1.parseAddress);
        this.tls = options.tls;
        this.deadlineMs = options.deadlineMs ?? 5000;
        this.traceparent = options.traceparent ?? "";
        this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
        this.backoffInitialMs = options.backoff?.initialMs ?? 50;
        this.backoffMaxMs = options.backoff?.maxMs ?? 2000;
        this.maxRequestBytes = options.maxRequestBytes ?? 65536;
        this.maxResponseBytes = options.maxResponseBytes ?? 4 * 1024 * 1024;
        this.retryReadOnly = options.retryReadOnly ?? true;
        // Clients of many services start at different replicas.
        this.cursor = Math.floor(Math.random() * this.addresses.length);
    }
    // ---- the RPCs (SPEC §4); `Rpcs` is generated from the proto, so a missing one does not compile
    health(request = {}, options) { return this.call("health", request, options); }
    register(request, options) { return this.call("register", request, options); }
    confirmRegistration(request, options) { return this.call("confirmRegistration", request, options); }
    resendConfirmationCode(request, options) { return this.call("resendConfirmationCode", request, options); }
    authenticate(request, options) { return this.call("authenticate", request, options); }
    respondToChallenge(request, options) { return this.call("respondToChallenge", request, options); }
    refreshTokens(request, options) { return this.call("refreshTokens", request, options); }
    signOut(request, options) { return this.call("signOut", request, options); }
    forgotPassword(request, options) { return this.call("forgotPassword", request, options); }
    confirmForgotPassword(request, options) { return this.call("confirmForgotPassword", request, options); }
    verifyToken(request, options) { return this.call("verifyToken", request, options); }
    checkGroups(request, options) { return this.call("checkGroups", request, options); }
    /** Any RPC by its name (the Request body member's name). */
    call(method, request, options) {
        return new Promise((resolve, reject) => {
            if (this.state.kind === "closed" || this.closing) {
                reject(new errors_1.ClientClosedError("authrpc: the client is closed"));
                return;
            }
            const signal = options?.signal;
            if (signal?.aborted) {
                reject(signal.reason);
                return;
            }
            const deadlineMs = options?.deadlineMs ?? this.deadlineMs;
            const call = {
                id: this.nextId++,
                method,
                request,
                deadlineAt: deadlineMs > 0 ? Date.now() + deadlineMs : 0,
                settle: (error, answer) => (error ? reject(error) : resolve(answer)),
                sent: false,
                connection: undefined,
                retried: false,
                timer: undefined,
                signal,
                onAbort: undefined,
                traceparent: options?.traceparent ?? this.traceparent,
            };
            this.calls.set(call.id, call);
            if (deadlineMs > 0) {
                call.timer = setTimeout(() => this.expire(call), deadlineMs);
            }
            if (signal) {
                call.onAbort = () => this.finish(call, signal.reason);
                signal.addEventListener("abort", call.onAbort, { once: true });
            }
            this.dispatch(call);
        });
    }
    /**
     * Stops taking calls, lets the calls already made finish (each within its deadline),
     * then closes the connection. Calls made after close() reject with ClientClosedError.
     */
    close() {
        if (!this.closing) {
            let resolve;
            const promise = new Promise((r) => (resolve = r));
            this.closing = { resolve, promise };
            this.maybeFinishClosing();
        }
        return this.closing.promise;
    }
    /** Closes now: every call not yet answered rejects with ClientClosedError. */
    destroy() {
        const error = new errors_1.ClientClosedError("authrpc: the client was destroyed");
        for (const call of [...this.calls.values()])
            this.finish(call, error);
        this.waiting = [];
        this.shutDown();
        this.closing?.resolve();
    }
    /** The address of the open connection ("" when none). */
    get connectedAddress() {
        return this.state.kind === "ready" ? this.state.connection.address : "";
    }
    // ---- calls ---------------------------------------------------------------------------
    dispatch(call) {
        if (this.state.kind === "ready")
            this.send(call, this.state.connection);
        else {
            this.waiting.push(call);
            if (this.state.kind === "idle")
                void this.connect();
            else if (this.state.kind === "backoff")
                this.state.timer.ref(); // a call waits for the next round
        }
    }
    send(call, connection) {
        const remaining = call.deadlineAt === 0 ? 0 : Math.max(1, call.deadlineAt - Date.now());
        const message = {
            id: call.id,
            deadlineMs: remaining,
            traceparent: call.traceparent,
            body: { case: call.method, value: call.request },
        };
        const size = (0, authrpc_pb_1.sizeRequest)(message);
        if (size > this.maxRequestBytes) {
            // The server would answer FrameTooLarge and close the connection under every call on it.
            this.finish(call, errors_1.AuthRpcError.from({
                status: authrpc_pb_1.Status.RESOURCE_EXHAUSTED, errorType: "FrameTooLarge",
                message: `request of ${size} bytes is above the ${this.maxRequestBytes}-byte frame limit`,
            }));
            return;
        }
        const [slab, at] = connection.reserve(size);
        (0, authrpc_pb_1.writeRequest)(message, slab, at);
        connection.commit(size);
        call.sent = true;
        call.connection = connection;
        const n = this.inFlight.get(connection) ?? 0;
        this.inFlight.set(connection, n + 1);
        if (n === 0)
            connection.setActive(true);
    }
    onFrame(connection, b, start, end) {
        let response;
        try {
            response = (0, authrpc_pb_1.decodeResponse)(b, start, end);
        }
        catch (err) {
            const why = err instanceof authrpc_pb_1.DecodeError ? err.message : String(err);
            connection.destroy(new errors_1.ProtocolError(`authrpc: undecodable answer from ${connection.address}: ${why}`, connection.address, err));
            return;
        }
        if (response.id === 0n) {
            // A connection-level answer (FrameTooLarge, MalformedRequest): no call can be told
            // which answer it would have had, so fail them all rather than let one hang.
            const cause = errors_1.AuthRpcError.from(response);
            connection.destroy(new errors_1.TransportError(`authrpc: ${connection.address} refused the connection's input: ${cause.message}`, connection.address, cause));
            return;
        }
        this.failedRounds = 0; // the connection works: the next drop reconnects at once
        const call = this.calls.get(Number(response.id));
        // Gone (answered after its deadline or abort), or not sent on this connection.
        if (call === undefined || call.connection !== connection)
            return;
        if (response.status === authrpc_pb_1.Status.UNAVAILABLE && response.errorType === "ShuttingDown") {
            this.onDraining(connection);
            if (this.retryable(call)) {
                this.retry(call);
                return;
            }
        }
        if (response.status !== authrpc_pb_1.Status.OK) {
            const error = errors_1.AuthRpcError.from({ ...response, requestId: response.id });
            if (response.body)
                Object.defineProperty(error, "body", { value: response.body.value, enumerable: false });
            this.finish(call, error);
        }
        else if (response.body?.case !== call.method) {
            this.finish(call, new errors_1.ProtocolError(`authrpc: ${call.method} answered with body ${response.body?.case ?? "(none)"}`, connection.address));
        }
        else {
            this.finish(call, undefined, response.body.value);
        }
    }
    /** Sends a call again, under a new id, on whichever connection is next. */
    retry(call) {
        this.unsend(call);
        this.calls.delete(call.id);
        call.id = this.nextId++;
        call.retried = true;
        this.calls.set(call.id, call);
        this.dispatch(call);
    }
    /** The call is no longer in flight on its connection. */
    unsend(call) {
        const connection = call.connection;
        call.sent = false;
        call.connection = undefined;
        if (connection === undefined)
            return;
        const n = (this.inFlight.get(connection) ?? 1) - 1;
        if (n > 0) {
            this.inFlight.set(connection, n);
            return;
        }
        this.inFlight.delete(connection);
        connection.setActive(false);
        if (this.draining.has(connection))
            connection.end(); // nothing more to read from it
    }
    expire(call) {
        call.timer = undefined;
        const error = new errors_1.DeadlineExceededError({
            status: authrpc_pb_1.Status.DEADLINE_EXCEEDED, errorType: "ClientDeadline",
            message: call.sent ? "no answer before the call's deadline" : "no connection before the call's deadline",
        });
        this.finish(call, error);
    }
    finish(call, error, answer) {
        if (!this.calls.delete(call.id))
            return;
        if (call.timer !== undefined)
            clearTimeout(call.timer);
        if (call.onAbort)
            call.signal.removeEventListener("abort", call.onAbort);
        if (call.sent) {
            this.unsend(call);
        }
        else {
            const i = this.waiting.indexOf(call);
            if (i >= 0)
                this.waiting.splice(i, 1);
        }
        call.settle(error, answer);
        if (this.closing)
            this.maybeFinishClosing();
    }
    // ---- connection state (idle → connecting → ready | backoff → connecting ...) ----------
    async connect() {
        this.state = { kind: "connecting" };
        const errors = [];
        const n = this.addresses.length;
        for (let i = 0; i < n; i++) {
            const index = (this.cursor + i) % n;
            const address = this.addresses[index];
            try {
                let opened;
                const connection = await connection_1.Connection.open(address, this.tls, this.connectTimeoutMs, this.maxResponseBytes, {
                    frame: (b, start, end) => this.onFrame(opened, b, start, end),
                    closed: (error) => this.onClosed(opened, error),
                });
                opened = connection;
                if (this.state.kind !== "connecting") { // destroyed meanwhile
                    connection.destroy();
                    return;
                }
                this.cursor = index;
                this.state = { kind: "ready", connection };
                connection.setActive(false);
                const waiting = this.waiting;
                this.waiting = [];
                for (const call of waiting)
                    this.send(call, connection);
                return;
            }
            catch (err) {
                errors.push(err instanceof Error ? err.message : String(err));
                if (this.state.kind !== "connecting")
                    return;
            }
        }
        // No address answered: the calls waiting for this round fail now, not at their deadline.
        const error = new errors_1.TransportError(errors.length === 1 ? errors[0] : `authrpc: no address reachable (${errors.join("; ")})`, n === 1 ? (0, connection_1.formatAddress)(this.addresses[0]) : "");
        for (const call of this.waiting.slice())
            this.finish(call, error);
        this.scheduleReconnect();
    }
    onClosed(connection, error) {
        const orphans = [];
        for (const call of this.calls.values()) {
            if (call.connection === connection)
                orphans.push(call);
        }
        this.inFlight.delete(connection);
        this.draining.delete(connection);
        for (const call of orphans) {
            call.sent = false;
            call.connection = undefined;
        }
        if (this.state.kind === "ready" && this.state.connection === connection) {
            this.state = { kind: "idle" };
            if (!this.closing)
                this.reconnectAfterDrop(connection);
        }
        // The calls that were waiting for an answer on it: a read-only one goes again (its
        // answer cannot have changed anything), the others fail: they may have been done.
        // Not after the server refused the connection's input (an id-0 answer): that would repeat.
        const refused = error.cause instanceof errors_1.AuthRpcError;
        for (const call of orphans) {
            if (!refused && this.retryable(call))
                this.retry(call);
            else
                this.finish(call, error);
        }
        if (this.closing)
            this.maybeFinishClosing();
    }
    reconnectAfterDrop(connection) {
        // Another replica first; reconnect at once, so the next call finds a connection,
        // unless this connection never answered (a server that accepts and closes, e.g. at
        // its connection limit): then back off as after a failed round.
        this.cursor = (this.cursor + 1) % this.addresses.length;
        const answered = connection.framesReceived > 0;
        if (!answered && this.failedRounds > 0) {
            this.scheduleReconnect();
            return;
        }
        if (!answered)
            this.failedRounds++;
        void this.connect();
    }
    retryable(call) {
        return this.retryReadOnly && READ_ONLY.has(call.method) && !call.retried && !this.closing;
    }
    /**
     * The server is draining this connection (SPEC §3 shutdown): it answers what it has
     * and closes. New calls go to a new connection, to the next address first.
     */
    onDraining(connection) {
        if (this.state.kind !== "ready" || this.state.connection !== connection)
            return;
        this.draining.add(connection);
        if (!this.inFlight.has(connection))
            connection.end();
        this.state = { kind: "idle" };
        if (this.closing)
            return;
        this.cursor = (this.cursor + 1) % this.addresses.length;
        void this.connect();
    }
    scheduleReconnect() {
        if (this.closing) {
            this.state = { kind: "idle" };
            this.maybeFinishClosing();
            return;
        }
        const ceiling = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** Math.min(this.failedRounds, 30));
        this.failedRounds++;
        const delay = ceiling / 2 + Math.random() * (ceiling / 2); // "equal jitter"
        const timer = setTimeout(() => {
            if (this.state.kind === "backoff" && this.state.timer === timer)
                void this.connect();
        }, delay);
        timer.unref(); // a client with nothing to do does not keep the process alive
        this.state = { kind: "backoff", timer };
    }
    maybeFinishClosing() {
        if (!this.closing || this.calls.size > 0)
            return;
        this.shutDown();
        this.closing.resolve();
    }
    shutDown() {
        const state = this.state;
        this.state = { kind: "closed" };
        if (state.kind === "ready")
            state.connection.end();
        else if (state.kind === "backoff")
            clearTimeout(state.timer);
        for (const connection of this.draining)
            connection.end();
        this.draining.clear();
    }
}
exports.AuthRpcClient = AuthRpcClient;
