// One TCP (or TLS) connection to one authrpc address: frames out, frames in
// (SPEC §3). It knows nothing of calls: the client hands it encoded frames and
// gets back each answer's bytes, and is told once when the connection is gone.
import * as net from "node:net";
import * as tls from "node:tls";
import { TransportError, ProtocolError } from "./errors";

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

export function formatAddress(a: Address): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** "host:port", "[v6]:port" or an Address. */
export function parseAddress(a: string | Address): Address {
  if (typeof a !== "string") return { host: a.host, port: a.port };
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(a) ?? /^([^:]+):(\d+)$/.exec(a);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new TypeError(`authrpc: bad address "${a}" (want host:port)`);
  return { host: m[1], port };
}

const SLAB_BYTES = 64 * 1024;

export interface ConnectionEvents {
  /** One whole frame: its message is b[start..<end]. */
  frame(b: Buffer, start: number, end: number): void;
  /** The connection is gone (called once); `error` says why. */
  closed(error: TransportError): void;
}

export class Connection {
  readonly address: string;
  private readonly socket: net.Socket;
  private readonly events: ConnectionEvents;
  private readonly maxFrameBytes: number;
  // Frames written since the last flush live in `slab` from `start` to `tail`;
  // earlier slabs still owed to the socket are in `queued`.
  private slab: Buffer = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private start = 0;
  private tail = 0;
  private queued: Buffer[] = [];
  private flushScheduled = false;
  // A frame that came in pieces: the pieces, their bytes, the bytes it needs (0: unknown yet).
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private isClosed = false;
  private closeReason: TransportError | undefined;
  /** Frames received so far. */
  framesReceived = 0;

  private constructor(socket: net.Socket, address: string, maxFrameBytes: number, events: ConnectionEvents) {
    this.socket = socket;
    this.address = address;
    this.maxFrameBytes = maxFrameBytes;
    this.events = events;
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", (err) => this.fail(new TransportError(`authrpc: connection to ${address} failed: ${err.message}`, address, err)));
    socket.on("close", () => this.fail(new TransportError(`authrpc: connection to ${address} closed`, address)));
  }

  /** Opens a connection; rejects with TransportError after `timeoutMs` or on any error. */
  static open(address: Address, tlsOptions: TlsOptions | undefined, timeoutMs: number,
              maxFrameBytes: number, events: ConnectionEvents): Promise<Connection> {
    const name = formatAddress(address);
    return new Promise((resolve, reject) => {
      const socket = tlsOptions
        ? tls.connect({ host: address.host, port: address.port, ca: tlsOptions.ca, cert: tlsOptions.cert, key: tlsOptions.key,
                        servername: tlsOptions.servername ?? (net.isIP(address.host) ? undefined : address.host),
                        minVersion: "TLSv1.2" })
        : net.connect({ host: address.host, port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError(`authrpc: connecting to ${name} timed out after ${timeoutMs} ms`, name));
      }, timeoutMs);
      const onError = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new TransportError(`authrpc: cannot connect to ${name}: ${err.message}`, name, err));
      };
      socket.once("error", onError);
      socket.once(tlsOptions ? "secureConnect" : "connect", () => {
        clearTimeout(timer);
        socket.removeListener("error", onError);
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        resolve(new Connection(socket, name, maxFrameBytes, events));
      });
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Room for one frame of `size` message bytes; returns the slab and where the message goes. */
  reserve(size: number): [Buffer, number] {
    const total = size + 4;
    if (this.slab.length - this.tail < total) {
      if (this.tail > this.start) this.queued.push(this.slab.subarray(this.start, this.tail));
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, total));
      this.start = this.tail = 0;
    }
    this.slab.writeUInt32BE(size, this.tail);
    return [this.slab, this.tail + 4];
  }

  /** Commits the frame `reserve` made room for; it is written at the end of this tick. */
  commit(size: number): void {
    this.tail += size + 4;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.isClosed) return;
    if (this.tail > this.start) {
      this.queued.push(this.slab.subarray(this.start, this.tail));
      this.start = this.tail;
    }
    const out = this.queued.length === 1 ? this.queued[0] : Buffer.concat(this.queued);
    this.queued = [];
    if (out.length > 0) this.socket.write(out);
  }

  /** Keeps the process alive while calls are in flight, not while the connection idles. */
  setActive(active: boolean): void {
    if (active) this.socket.ref();
    else this.socket.unref();
  }

  /** Closes after what was written; `closed` is reported when the socket is gone. */
  end(): void {
    this.flush();
    this.socket.end();
  }

  /** Drops the connection now, reporting `error` (or a plain close). */
  destroy(error?: TransportError): void {
    this.fail(error ?? new TransportError(`authrpc: connection to ${this.address} closed by the client`, this.address));
    this.socket.destroy();
  }

  private fail(error: TransportError): void {
    if (this.closeReason === undefined) this.closeReason = error;
    if (this.isClosed) return;
    this.isClosed = true;
    this.queued = [];
    this.parts = [];
    this.socket.destroy();
    this.events.closed(this.closeReason);
  }

  private onData(chunk: Buffer): void {
    if (this.partsBytes > 0) {
      this.parts.push(chunk);
      this.partsBytes += chunk.length;
      const need = this.partsBytes >= 4 ? frameBytes(this.parts) : 4;
      if (need - 4 > this.maxFrameBytes) {
        this.destroy(new ProtocolError(`authrpc: ${this.address} sent a frame of ${need - 4} bytes (limit ${this.maxFrameBytes})`, this.address));
        return;
      }
      if (this.partsBytes < need) return;
      chunk = Buffer.concat(this.parts, this.partsBytes);
      this.parts = [];
      this.partsBytes = 0;
    }
    let pos = 0;
    while (!this.isClosed && chunk.length - pos >= 4) {
      const n = chunk.readUInt32BE(pos);
      if (n > this.maxFrameBytes) {
        this.destroy(new ProtocolError(`authrpc: ${this.address} sent a frame of ${n} bytes (limit ${this.maxFrameBytes})`, this.address));
        return;
      }
      if (chunk.length - pos - 4 < n) break;
      this.framesReceived++;
      this.events.frame(chunk, pos + 4, pos + 4 + n);
      pos += 4 + n;
    }
    if (pos < chunk.length && !this.isClosed) {
      this.parts.push(chunk.subarray(pos));
      this.partsBytes = chunk.length - pos;
    }
  }
}

/** Bytes of the whole frame that starts the pieces (4 + its length). */
function frameBytes(parts: Buffer[]): number {
  const head = parts[0].length >= 4 ? parts[0] : Buffer.concat(parts).subarray(0, 4);
  return 4 + head.readUInt32BE(0);
}
