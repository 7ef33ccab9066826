// Declarations of the parts of Node 20's standard library this package uses.
//
// @types/node is not installable here (no npm; Debian ships it only inside its own
// nodejs package, which would replace the Node 20 on these machines), so the type
// check of src/ runs against these few declarations instead. They follow
// @types/node's names and shapes; anything missing is a compile error, never `any`.
// They are used only to compile this package: the published .d.ts files in dist/
// refer to none of them.

declare type BufferEncoding = "utf8" | "utf-8" | "latin1" | "ascii" | "base64" | "hex";

declare class Buffer extends Uint8Array {
  static alloc(size: number): Buffer;
  static allocUnsafe(size: number): Buffer;
  static allocUnsafeSlow(size: number): Buffer;
  static from(data: string, encoding?: BufferEncoding): Buffer;
  static from(data: ArrayBufferLike, byteOffset?: number, length?: number): Buffer;
  static from(data: Uint8Array | readonly number[]): Buffer;
  static byteLength(s: string, encoding?: BufferEncoding): number;
  static concat(list: readonly Uint8Array[], totalLength?: number): Buffer;
  static compare(a: Uint8Array, b: Uint8Array): number;
  static isBuffer(b: unknown): b is Buffer;
  toString(encoding?: BufferEncoding, start?: number, end?: number): string;
  write(s: string, offset: number, length: number, encoding: BufferEncoding): number;
  subarray(start?: number, end?: number): Buffer;
  readUInt32BE(offset: number): number;
  writeUInt32BE(value: number, offset: number): number;
  copy(target: Uint8Array, targetStart?: number, sourceStart?: number, sourceEnd?: number): number;
  equals(other: Uint8Array): boolean;
}

declare namespace NodeJS {
  interface Timeout {
    ref(): this;
    unref(): this;
    hasRef(): boolean;
    refresh(): this;
  }
  interface ProcessEnv {
    [key: string]: string | undefined;
  }
}

declare function setTimeout(callback: () => void, ms?: number): NodeJS.Timeout;
declare function clearTimeout(timeout: NodeJS.Timeout | undefined): void;

declare var process: {
  env: NodeJS.ProcessEnv;
  nextTick(callback: () => void): void;
  emitWarning(warning: string | Error, type?: string): void;
};

declare class DOMException extends Error {
  constructor(message?: string, name?: string);
}

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
  throwIfAborted(): void;
}

declare module "node:net" {
  interface SocketConnectOpts {
    host?: string;
    port: number;
    noDelay?: boolean;
    keepAlive?: boolean;
  }
  class Socket {
    readonly destroyed: boolean;
    readonly writableLength: number;
    setNoDelay(noDelay?: boolean): this;
    setKeepAlive(enable?: boolean, initialDelay?: number): this;
    write(data: Uint8Array): boolean;
    end(): this;
    destroy(error?: Error): this;
    unref(): this;
    ref(): this;
    on(event: "data", listener: (chunk: Buffer) => void): this;
    on(event: "error", listener: (err: Error) => void): this;
    on(event: "close" | "end" | "drain" | "connect", listener: () => void): this;
    once(event: "connect" | "secureConnect" | "close", listener: () => void): this;
    once(event: "error", listener: (err: Error) => void): this;
    removeListener(event: string, listener: (...args: never[]) => void): this;
    removeAllListeners(event?: string): this;
  }
  function connect(options: SocketConnectOpts): Socket;
  function isIP(input: string): number;
}

declare module "node:tls" {
  import { Socket, SocketConnectOpts } from "node:net";
  interface ConnectionOptions extends SocketConnectOpts {
    ca?: string | Buffer | (string | Buffer)[];
    cert?: string | Buffer | (string | Buffer)[];
    key?: string | Buffer | (string | Buffer)[];
    servername?: string;
    rejectUnauthorized?: boolean;
    minVersion?: "TLSv1.2" | "TLSv1.3";
  }
  class TLSSocket extends Socket {}
  function connect(options: ConnectionOptions): TLSSocket;
}
