import { TransportError } from "./errors";
export interface Address {
    host: string;
    port: number;
}
/** TLS towards the server (SPEC §8): a CA, an optional client certificate and key, a server name. */
export interface TlsOptions {
    /** PEM CA certificate(s) the server's certificate must chain to (default: Node's bundled roots). */
    ca?: string | Buffer | (string | Buffer)[];
    /** PEM client certificate, for mTLS. */
    cert?: string | Buffer | (string | Buffer)[];
    /** PEM private key of `cert`. */
    key?: string | Buffer | (string | Buffer)[];
    /** The name the server's certificate must carry (default: the address's host). */
    servername?: string;
}
export declare function formatAddress(a: Address): string;
/** "host:port", "[v6]:port" or an Address. */
export declare function parseAddress(a: string | Address): Address;
export interface ConnectionEvents {
    /** One whole frame: its message is b[start..<end]. */
    frame(b: Buffer, start: number, end: number): void;
    /** The connection is gone (called once); `error` says why. */
    closed(error: TransportError): void;
}
export declare class Connection {
    readonly address: string;
    private readonly socket;
    private readonly events;
    private readonly maxFrameBytes;
    private slab;
    private start;
    private tail;
    private queued;
    private flushScheduled;
    private parts;
    private partsBytes;
    private isClosed;
    private closeReason;
    /** Frames received so far. */
    framesReceived: number;
    private constructor();
    /** Opens a connection; rejects with TransportError after `timeoutMs` or on any error. */
    static open(address: Address, tlsOptions: TlsOptions | undefined, timeoutMs: number, maxFrameBytes: number, events: ConnectionEvents): Promise<Connection>;
    get closed(): boolean;
    /** Room for one frame of `size` message bytes; returns the slab and where the message goes. */
    reserve(size: number): [Buffer, number];
    /** Commits the frame `reserve` made room for; it is written at the end of this tick. */
    commit(size: number): void;
    private flush;
    /** Keeps the process alive while calls are in flight, not while the connection idles. */
    setActive(active: boolean): void;
    /** Closes after what was written; `closed` is reported when the socket is gone. */
    end(): void;
    /** Drops the connection now, reporting `error` (or a plain close). */
    destroy(error?: TransportError): void;
    private fail;
    private onData;
}
