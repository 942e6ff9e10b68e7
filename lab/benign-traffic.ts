/**
 * Benign traffic for the lab, run inside a namespace (`ip netns exec <ns> node
 * lab/benign-traffic.ts <mode> ...`). Every mode ends by itself within --seconds.
 *
 *   serve   --address A --seconds N                    a web server (port 80) and a DNS server (port 53)
 *   clients --server A --first B --count C --requests R --spread S --seconds N
 *                                                      C clients, each from its own address (B, B+1, ...):
 *                                                      R HTTP requests and one DNS query each
 *   resolve --server A --queries Q --spread S --seconds N
 *                                                      Q DNS queries, each from a new source port (a
 *                                                      server using its resolver)
 *
 * Requests and queries start evenly spread over S seconds, as visitors arrive, not at once.
 *
 * Clients print one JSON line: how many requests and queries were answered.
 */
import { createSocket } from 'node:dgram';
import { createServer, request } from 'node:http';
import { parseArgs } from 'node:util';

const PAGE = Buffer.alloc(4096, 'lab page\n');

function ipv4ToInt(text: string): number {
  return text.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A DNS query for an A record (RFC 1035 4.1). */
export function dnsQuery(id: number, name: string): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // recursion desired
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

/** The answer to a one-question query: the question echoed and one A record. */
export function dnsAnswer(query: Buffer, address: string): Buffer | null {
  if (query.length < 17 || query.readUInt16BE(4) !== 1) return null;
  let end = 12;
  while (end < query.length && query[end] !== 0) end += query[end] + 1;
  end += 5;
  if (end > query.length) return null;
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180, 2); // response, recursion desired and available, no error
  header.writeUInt16BE(1, 6);
  header.writeUInt16BE(0, 8);
  header.writeUInt16BE(0, 10);
  const answer = Buffer.alloc(16);
  answer.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  answer.writeUInt16BE(1, 2);
  answer.writeUInt16BE(1, 4);
  answer.writeUInt32BE(60, 6);
  answer.writeUInt16BE(4, 10);
  answer.writeUInt32BE(ipv4ToInt(address) >>> 0, 12);
  return Buffer.concat([header, query.subarray(12, end), answer]);
}

function serve(address: string, seconds: number): void {
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': PAGE.length, connection: 'close' });
    res.end(PAGE);
  });
  const dns = createSocket('udp4');
  dns.on('message', (msg, rinfo) => {
    const reply = dnsAnswer(msg, address);
    if (reply !== null) dns.send(reply, rinfo.port, rinfo.address);
  });
  let ready = 0;
  const up = () => {
    if (++ready === 2) process.stdout.write('ready\n');
  };
  http.listen(80, address, up);
  dns.bind(53, address, up);
  setTimeout(() => {
    http.close();
    http.closeAllConnections();
    dns.close();
  }, seconds * 1000);
}

function httpGet(server: string, localAddress: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: server, port: 80, path: '/', localAddress, agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function dnsLookup(server: string, localAddress: string | undefined, id: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 3000);
    socket.on('error', () => done(false));
    socket.on('message', (msg) => done(msg.length >= 12 && msg.readUInt16BE(0) === id && msg.readUInt16BE(6) === 1));
    socket.bind({ address: localAddress, port: 0 }, () => socket.send(dnsQuery(id, `host${id}.lab.example`), 53, server));
  });
}

/** Starts `jobs` evenly spread over `spreadSeconds`. */
function spread<T>(jobs: Array<() => Promise<T>>, spreadSeconds: number): Promise<T[]> {
  const stepMs = (spreadSeconds * 1000) / Math.max(1, jobs.length);
  return Promise.all(jobs.map((job, i) => new Promise<void>((r) => setTimeout(r, i * stepMs)).then(job)));
}

async function clients(server: string, first: string, count: number, requests: number, spreadSeconds: number): Promise<void> {
  const base = ipv4ToInt(first);
  const jobs: Array<() => Promise<['http' | 'dns', boolean]>> = [];
  for (let i = 0; i < count; i++) {
    const source = intToIpv4(base + i);
    for (let r = 0; r < requests; r++) jobs.push(async () => ['http', await httpGet(server, source)]);
    jobs.push(async () => ['dns', await dnsLookup(server, source, (i + 1) & 0xffff)]);
  }
  const results = await spread(jobs, spreadSeconds);
  const count2 = (kind: string, ok: boolean) => results.filter(([k, o]) => k === kind && o === ok).length;
  process.stdout.write(`${JSON.stringify({ clients: count, httpOk: count2('http', true), httpFailed: count2('http', false), dnsOk: count2('dns', true), dnsFailed: count2('dns', false) })}\n`);
}

async function resolve(server: string, queries: number, spreadSeconds: number): Promise<void> {
  const results = await spread(
    Array.from({ length: queries }, (_, i) => () => dnsLookup(server, undefined, (i + 1) & 0xffff)),
    spreadSeconds,
  );
  process.stdout.write(`${JSON.stringify({ queries, dnsOk: results.filter(Boolean).length, dnsFailed: results.filter((r) => !r).length })}\n`);
}

if (import.meta.main) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      address: { type: 'string' },
      server: { type: 'string' },
      first: { type: 'string' },
      count: { type: 'string', default: '120' },
      requests: { type: 'string', default: '3' },
      queries: { type: 'string', default: '200' },
      spread: { type: 'string', default: '0' },
      seconds: { type: 'string', default: '30' },
    },
  });
  const seconds = Number(values.seconds);
  // Whatever happens, this process ends: a traffic generator is bounded in time.
  setTimeout(() => process.exit(3), (seconds + 2) * 1000).unref();
  const need = (name: string, value: string | undefined): string => {
    if (value === undefined) throw new Error(`--${name} is required`);
    return value;
  };
  const mode = positionals[0];
  if (mode === 'serve') serve(need('address', values.address), seconds);
  else if (mode === 'clients') await clients(need('server', values.server), need('first', values.first), Number(values.count), Number(values.requests), Number(values.spread));
  else if (mode === 'resolve') await resolve(need('server', values.server), Number(values.queries), Number(values.spread));
  else throw new Error(`unknown mode ${mode ?? '(none)'}: serve, clients or resolve`);
}
