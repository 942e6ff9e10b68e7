/**
 * The batched receive path of a receive thread (native/recvmmsg.c): when the module is
 * built (`npm run build:native`), the thread still binds its sockets with Node's dgram
 * (SO_REUSEPORT, buffer size), then stops Node reading them and takes datagrams itself, up
 * to 64 per call, into one reused buffer. Without the module, or with
 * `collector.receiver: node`, Node's dgram delivers them one event at a time.
 */
import type { Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import { formatAddress } from '../flow-record.ts';

export interface NativeReceive {
  /** Waits up to `timeoutMs` on `fds`, then receives; returns datagrams received or -errno. */
  receive(fds: Int32Array, timeoutMs: number, buffer: Uint8Array, slotBytes: number, meta: Int32Array): number;
  /** sendmmsg on a connected socket (the intake benchmark's sender); returns datagrams sent or -errno. */
  send(fd: number, datagrams: Uint8Array[]): number;
}

export const NATIVE_MODULE_PATH = new URL('./native/build/recvmmsg.node', import.meta.url);

let loaded: NativeReceive | null | undefined;

/** The native module, or null when it is not built (or does not load here). */
export function loadNativeReceive(): NativeReceive | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)(NATIVE_MODULE_PATH.pathname) as NativeReceive;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

/** Largest datagram taken whole; a longer one is counted as truncated (flow exports stay far below). */
export const SLOT_BYTES = 65_536;
export const BATCH = 64;
const META_WORDS = 8;
/** How long one poll waits when nothing arrives: the thread's timers run at least this often. */
const POLL_MS = 5;
/** Receiving runs in slices this long, then yields to the thread's event loop (timers, messages). */
const SLICE_MS = 20;

/** Node's handle of a bound dgram socket (not in its public API). */
interface UdpHandle {
  fd: number;
  recvStop(): number;
}

/**
 * The handle of a bound dgram socket, from the socket's internal state (the public-looking
 * `_handle` getter prints a deprecation warning). Throws if this Node.js keeps it elsewhere.
 */
export function udpHandleOf(socket: Socket): UdpHandle {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
  const handle = key === undefined ? undefined : (socket as unknown as Record<symbol, { handle?: UdpHandle }>)[key]?.handle;
  if (handle === undefined || typeof handle.fd !== 'number' || handle.fd < 0 || typeof handle.recvStop !== 'function') {
    throw new Error("this Node.js keeps a dgram socket's handle where the native receive path cannot find it (collector.receiver: node)");
  }
  return handle;
}

export interface NativeReceiveLoop {
  stop(): void;
}

/**
 * Takes over the bound sockets: Node stops reading them and this loop receives instead,
 * calling `onDatagram(listenerIndex, bytes, exporter, receivedAtMs)` per datagram (the bytes
 * are valid only during the call; the time is read once per batch) and `onTruncated` / `onError` for the rest.
 */
export function startNativeReceive(
  native: NativeReceive,
  sockets: Socket[],
  handlers: {
    onDatagram(listener: number, datagram: Uint8Array, exporter: string, receivedAtMs: number): void;
    onTruncated(listener: number, exporter: string): void;
    onError(message: string): void;
  },
): NativeReceiveLoop {
  const fds = new Int32Array(sockets.length);
  sockets.forEach((socket, i) => {
    const handle = udpHandleOf(socket);
    handle.recvStop();
    fds[i] = handle.fd;
  });
  const buffer = new Uint8Array(BATCH * SLOT_BYTES);
  const meta = new Int32Array(BATCH * META_WORDS);
  /** Source address text by address (IPv4 word, or the IPv6 words joined): exporters are few, each text is made once. */
  const names = new Map<number | string, string>();
  const bytes = new Uint8Array(16);
  // The last source and its text: consecutive datagrams mostly come from one exporter.
  const last = Int32Array.of(-1, 0, 0, 0, 0);
  let lastName = '';
  const nameOf = (m: number): string => {
    if (meta[m + 2] === last[0] && meta[m + 4] === last[1] && meta[m + 5] === last[2] && meta[m + 6] === last[3] && meta[m + 7] === last[4]) return lastName;
    const v4 = meta[m + 2] === 4;
    const key = v4 ? meta[m + 4] : `${meta[m + 4]}:${meta[m + 5]}:${meta[m + 6]}:${meta[m + 7]}`;
    let name = names.get(key);
    if (name === undefined) {
      for (let w = 0; w < 4; w++) {
        const word = meta[m + 4 + w];
        bytes[w * 4] = word >>> 24;
        bytes[w * 4 + 1] = (word >>> 16) & 255;
        bytes[w * 4 + 2] = (word >>> 8) & 255;
        bytes[w * 4 + 3] = word & 255;
      }
      // An IPv4 exporter on a dual-stack socket is written as Node writes it: ::ffff:a.b.c.d.
      const mapped = !v4 && meta[m + 4] === 0 && meta[m + 5] === 0 && meta[m + 6] === 0xffff;
      name = v4 ? formatAddress(bytes, 4) : mapped ? `::ffff:${formatAddress(bytes, 4, 12)}` : formatAddress(bytes, 6);
      if (names.size < 100_000) names.set(key, name);
    }
    last[0] = meta[m + 2];
    for (let w = 0; w < 4; w++) last[w + 1] = meta[m + 4 + w];
    lastName = name;
    return name;
  };
  let stopped = false;
  let lastError = '';
  const loop = (): void => {
    if (stopped) return;
    const until = performance.now() + SLICE_MS;
    do {
      const n = native.receive(fds, POLL_MS, buffer, SLOT_BYTES, meta);
      if (n < 0) {
        const message = `recvmmsg failed: errno ${-n}`;
        if (message !== lastError) handlers.onError(message);
        lastError = message;
        break;
      }
      const receivedAtMs = Date.now();
      for (let k = 0; k < n; k++) {
        const m = k * META_WORDS;
        const length = meta[m];
        const exporter = nameOf(m);
        if (length < 0) handlers.onTruncated(meta[m + 1], exporter);
        else handlers.onDatagram(meta[m + 1], buffer.subarray(k * SLOT_BYTES, k * SLOT_BYTES + length), exporter, receivedAtMs);
      }
      if (n === 0) break;
    } while (performance.now() < until);
    setImmediate(loop);
  };
  setImmediate(loop);
  return {
    stop() {
      stopped = true;
    },
  };
}
