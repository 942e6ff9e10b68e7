/**
 * One UDP socket bound with SO_REUSEPORT, so every receive thread binds the same address
 * and the kernel spreads exporters across them. The message handler only hands the
 * datagram on; it never awaits.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface UdpListenerOptions {
  host: string;
  port: number;
  receiveBufferBytes: number;
  onDatagram(datagram: Buffer, remote: RemoteInfo): void;
  onError(error: Error): void;
}

export function parseListenAddress(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(text.slice(colon + 1)) };
}

export async function openUdpListener(options: UdpListenerOptions): Promise<Socket> {
  const type = options.host.includes(':') ? 'udp6' : 'udp4';
  const socket = createSocket({ type, reuseAddr: true, reusePort: true, ipv6Only: type === 'udp6' });
  socket.on('message', options.onDatagram);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: options.host, port: options.port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', options.onError);
  try {
    socket.setRecvBufferSize(options.receiveBufferBytes);
  } catch {
    // Capped by net.core.rmem_max; the kernel keeps what it allows.
  }
  return socket;
}
