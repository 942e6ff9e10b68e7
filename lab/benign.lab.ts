/**
 * Scenario: benign traffic opens no incident. A customer web server answers 120 clients,
 * each from its own address (more distinct peers than a netscan needs), serves DNS to
 * them and asks its own resolver 200 times, while pmacctd exports every packet as sFlow
 * (sampling 1, the strictest view). With the lab's lowered packet threshold, Netwarden
 * must see the traffic and open no incident and no lock.
 *
 * Run by `npm run lab`, which builds the namespaces and runs this file inside the NOC one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { gatewaySet } from './gateway-state.ts';
import { LAB_ADDRESSES as A } from './lab-addresses.ts';
import { attachLab, recordResult, sleep, waitFor } from './lab-context.ts';
import { LAB_OUTBOUND_PACKETS_PER_SECOND, LAB_SERVERS, startLabNetwarden } from './lab-netwarden.ts';
import { startExporter } from './pmacct-exporter.ts';

const lab = attachLab();
after(() => lab.destroy());

const SERVER = LAB_SERVERS.web;
const TRAFFIC = join(import.meta.dirname, 'benign-traffic.ts');
const CLIENTS = 120;
const REQUESTS_PER_CLIENT = 3;
const RESOLVER_QUERIES = 200;
const FIRST_CLIENT = '198.51.100.130';
/** Seconds the visits and lookups are spread over. */
const SPREAD_SECONDS = 5;

async function ready(child: ChildProcess, what: string): Promise<void> {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  await waitFor(what, async () => {
    if (child.exitCode !== null) throw new Error(`${what} exited: ${err}`);
    return out.includes('ready') ? true : undefined;
  }, 10_000, 50);
}

async function transmittedPackets(role: string): Promise<number> {
  const [link] = JSON.parse(await lab.run(role, ['ip', '-s', '-j', 'link', 'show', 'eth0'])) as Array<{ stats64: { tx: { packets: number } } }>;
  return link.stats64.tx.packets;
}

async function benignScenario(t: TestContext): Promise<void> {
  const nw = await startLabNetwarden(lab);
  const { server, abuseToken: token } = nw;
  const stops: Array<() => Promise<void>> = [() => nw.stop()];
  try {
    const exporter = await startExporter(lab, 'sflow');
    stops.push(() => exporter.stop());
    // The web and DNS server, and the resolver it uses (on the internet host).
    const web = lab.spawn('srv2', [process.execPath, TRAFFIC, 'serve', '--address', SERVER.address, '--seconds', '40']);
    const resolver = lab.spawn('inet', [process.execPath, TRAFFIC, 'serve', '--address', A.internet, '--seconds', '40']);
    stops.push(() => lab.stopProcess(web), () => lab.stopProcess(resolver));
    await ready(web, 'the web server');
    await ready(resolver, 'the resolver');

    const sentBefore = await transmittedPackets('srv2');
    const startedAt = Date.now();
    const [clients, resolving] = await Promise.all([
      lab.run(
        'inet',
        [process.execPath, TRAFFIC, 'clients', '--server', SERVER.address, '--first', FIRST_CLIENT, '--count', String(CLIENTS), '--requests', String(REQUESTS_PER_CLIENT), '--spread', String(SPREAD_SECONDS), '--seconds', '30'],
        { timeoutMs: 40_000 },
      ),
      lab.run('srv2', [process.execPath, TRAFFIC, 'resolve', '--server', A.internet, '--queries', String(RESOLVER_QUERIES), '--spread', String(SPREAD_SECONDS), '--seconds', '30'], { timeoutMs: 40_000 }),
    ]);
    const seconds = (Date.now() - startedAt) / 1000;
    const sent = (await transmittedPackets('srv2')) - sentBefore;
    const served = JSON.parse(clients) as { httpOk: number; httpFailed: number; dnsOk: number; dnsFailed: number };
    const resolved = JSON.parse(resolving) as { dnsOk: number; dnsFailed: number };
    assert.deepEqual(served, { clients: CLIENTS, httpOk: CLIENTS * REQUESTS_PER_CLIENT, httpFailed: 0, dnsOk: CLIENTS, dnsFailed: 0 });
    assert.deepEqual(resolved, { queries: RESOLVER_QUERIES, dnsOk: RESOLVER_QUERIES, dnsFailed: 0 });
    const rate = Math.round(sent / seconds);
    t.diagnostic(`benign: the web server sent ${sent} packets in ${seconds.toFixed(1)} s (${rate}/s; lab threshold ${LAB_OUTBOUND_PACKETS_PER_SECOND}/s) to ${CLIENTS} clients and its resolver`);
    recordResult({ scenario: 'benign', protocol: 'sflow', name: 'packets/s sent by the web server', value: rate, unit: 'packets/s' });

    // Netwarden saw it: every packet is a sample, so at least every response packet the
    // server sent arrives as an outbound flow record (the last ones after a second or two).
    const detector = server.netwarden.detector;
    assert.ok(detector, 'the detector runs');
    await waitFor('the traffic at the detector', async () => (detector.flows.stats.attributedOut >= sent * 0.9 ? true : undefined), 15_000);
    // Let the last samples in and detection run past them (the rate window, hysteresis).
    await sleep(2000);
    t.diagnostic(`benign: Netwarden attributed ${detector.flows.stats.attributedOut} outbound flow records to the servers`);

    const incidents = (await server.request('GET', '/api/v1/incidents', { token })).body as unknown[];
    assert.deepEqual(incidents, [], 'no incident');
    const locks = (await server.request('GET', '/api/v1/locks', { token })).body as unknown[];
    assert.deepEqual(locks, [], 'no lock');
    const locked = await gatewaySet(lab, 'locked4');
    assert.ok(locked !== null && !/elements/.test(locked), `nothing locked on the gateway: ${locked}`);
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

describe('benign traffic exported as sFlow', () => {
  it('a web server with many clients, DNS and a resolver open no incident', { timeout: 90_000 }, (t) => benignScenario(t));
});
