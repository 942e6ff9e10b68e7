/**
 * Scenario: a customer server floods one address with UDP (hping3, bounded in time) ->
 * pmacctd on the gateway exports it as sFlow, 1 packet in 10 sampled -> a packet-limit
 * incident (outbound) -> the server locked on the gateway, the log's packet-limit summary
 * naming the target, also in the customer's e-mail. Prints the flood rate the lab carried
 * and the time from the flood's start to the lock.
 *
 * sFlow, not NetFlow: with NetFlow v9 the flood was detected and locked, but the log's
 * summary had an empty "Internal" and no "External" lines (README.md, known problems).
 *
 * The outbound threshold is the lab's (LAB_OUTBOUND_PACKETS_PER_SECOND, see
 * lab-netwarden.ts and README.md): the default 100,000 packets/s is about what a veth
 * path through the gateway carries on this machine, too close to test reliably.
 *
 * Run by `npm run lab`, which builds the namespaces and runs this file inside the NOC one.
 */
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { simpleParser } from 'mailparser';
import type { NetnsLab } from '../test/helpers/netns.ts';
import { waitForGatewayLock } from './gateway-state.ts';
import { attachLab, recordResult, sleep, waitFor } from './lab-context.ts';
import { LAB_OUTBOUND_PACKETS_PER_SECOND, LAB_SERVERS, type LabLock, startLabNetwarden } from './lab-netwarden.ts';
import { hpingTransmitted, packetLimitLines } from './lab-parsers.ts';
import { type ExportProtocol, startExporter } from './pmacct-exporter.ts';

const lab = attachLab();
after(() => lab.destroy());

const SERVER = LAB_SERVERS.scanner;
const TARGET = '192.0.2.77';
/** The flood stops at the lock, and after this many seconds whatever happens. */
const FLOOD_SECONDS = 15;
const PROTOCOL: ExportProtocol = 'sflow';
/** Sampled as routers sample floods (if more sparsely): the estimate is samples x 10. */
const SAMPLING_RATE = 10;

async function receivedPackets(l: NetnsLab, role: string, dev: string): Promise<number> {
  const [link] = JSON.parse(await l.run(role, ['ip', '-s', '-j', 'link', 'show', dev])) as Array<{ stats64: { rx: { packets: number } } }>;
  return link.stats64.rx.packets;
}

interface FloodIncident {
  kind: string;
  direction: string;
  exceeded: Array<{ metric: string; threshold: number; peak: number }>;
  peak: { packetsPerSecond: number };
}

async function floodScenario(t: TestContext): Promise<void> {
  const nw = await startLabNetwarden(lab);
  const { server, smtp, abuseToken: token } = nw;
  const stops: Array<() => Promise<void>> = [() => nw.stop()];
  try {
    const exporter = await startExporter(lab, PROTOCOL, { samplingRate: SAMPLING_RATE });
    stops.push(() => exporter.stop());

    const before = await receivedPackets(lab, 'victims', 'eth0');
    const startedAt = Date.now();
    // One source port (-k): one flow, as a single-target flood is. --foreground keeps
    // timeout in this process group, so nothing survives the test.
    const hping = lab.spawn('srv1', ['timeout', '--foreground', '-s', 'INT', String(FLOOD_SECONDS), 'hping3', '--udp', '-p', '9', '-k', '-s', '40000', '-d', '100', '--flood', TARGET]);
    let hpingText = '';
    hping.stdout?.setEncoding('utf8').on('data', (d: string) => (hpingText += d));
    hping.stderr?.setEncoding('utf8').on('data', (d: string) => (hpingText += d));
    const hpingExited = new Promise<void>((resolve) => hping.once('exit', () => resolve()));
    stops.push(() => lab.stopProcess(hping));

    const lockedAt = await waitForGatewayLock(lab, SERVER.address, true, (FLOOD_SECONDS - 2) * 1000);
    const passed = (await receivedPackets(lab, 'victims', 'eth0')) - before;
    // SIGINT: hping3 stops and prints its statistics (timeout hands the signal on).
    if (hping.pid !== undefined) process.kill(hping.pid, 'SIGINT');
    await Promise.race([hpingExited, sleep(5000)]);
    const endedAt = Date.now();
    const transmitted = hpingTransmitted(hpingText);
    assert.ok(transmitted !== null, `hping3 statistics: ${hpingText}`);
    const toLockMs = lockedAt - startedAt;
    const carried = Math.round(passed / (toLockMs / 1000));
    const sent = Math.round(transmitted / ((endedAt - startedAt) / 1000));
    t.diagnostic(`flood: ${carried} packets/s reached the victims through the gateway until the lock; hping3 sent ${transmitted} packets (${sent}/s)`);
    t.diagnostic(`flood: hping3 start -> lock enforced on the gateway ${toLockMs} ms`);
    recordResult({ scenario: 'flood', protocol: PROTOCOL, name: 'packets/s through the gateway until the lock', value: carried, unit: 'packets/s' });
    recordResult({ scenario: 'flood', protocol: PROTOCOL, name: 'hping3 start -> lock enforced', value: toLockMs, unit: 'ms' });
    assert.ok(carried > LAB_OUTBOUND_PACKETS_PER_SECOND, `the flood (${carried}/s) exceeds the lab threshold`);

    const locks = (await server.request('GET', `/api/v1/locks?serverId=${SERVER.id}`, { token })).body as LabLock[];
    assert.equal(locks.length, 1);
    const lock = locks[0];
    assert.equal(lock.reason, 'attack_from_server');
    assert.equal(lock.state, 'active');
    assert.equal(lock.enforced, true);

    const incidents = (await server.request('GET', `/api/v1/incidents?serverId=${SERVER.id}&kind=flood`, { token })).body as FloodIncident[];
    assert.equal(incidents.length, 1);
    const incident = incidents[0];
    assert.equal(incident.direction, 'out');
    const exceeded = incident.exceeded.find((e) => e.metric === 'packetsPerSecond');
    assert.ok(exceeded, `packet limit exceeded: ${JSON.stringify(incident.exceeded)}`);
    assert.equal(exceeded.threshold, LAB_OUTBOUND_PACKETS_PER_SECOND);
    // Below the carried rate: the lock comes before the 1 s rate window has filled.
    t.diagnostic(`flood: Netwarden's peak rate until the lock ${Math.round(incident.peak.packetsPerSecond)} packets/s (1 s window, not yet full)`);

    // The summary log: direction, the server, the threshold, the target with its packets.
    const checkLog = (log: string, where: string) => {
      assert.match(log, /^Direction OUT$/m, where);
      assert.match(log, new RegExp(`^Internal ${SERVER.address.replaceAll('.', '\\.')}$`, 'm'), where);
      const threshold = LAB_OUTBOUND_PACKETS_PER_SECOND.toLocaleString('de-DE');
      assert.match(log, new RegExp(`^Threshold Packets ${threshold.replaceAll('.', '\\.')} packets/s$`, 'm'), where);
      const lines = packetLimitLines(log);
      const sum = lines.find((l) => l.label === 'Sum');
      const target = lines.find((l) => l.address === TARGET);
      assert.ok(sum && target, `${where}: Sum and External ${TARGET} lines:\n${log}`);
      assert.ok(target.packets >= LAB_OUTBOUND_PACKETS_PER_SECOND, `${where}: ${target.packets} packets to ${TARGET}`);
      // Samples x 10 estimate the count: allow the sampling error, not more.
      assert.ok(target.packets <= transmitted * 1.1, `${where}: no more packets than hping3 sent (${target.packets} > ${transmitted})`);
      assert.ok(sum.packets >= target.packets, where);
      return target.packets;
    };
    const logged = checkLog((await server.request('GET', `/api/v1/locks/${lock.blockingId}/log`, { token })).text, 'log from the API');
    t.diagnostic(`flood: the log sums ${logged} packets to ${TARGET}`);

    const mail = await waitFor('the lock e-mail', async () => smtp.received[0], 15_000);
    const parsed = await simpleParser(mail.raw);
    const attachment = parsed.attachments.find((a) => a.filename === `${lock.blockingId}.log`);
    assert.ok(attachment, 'the log is attached');
    checkLog(attachment.content.toString('utf8'), 'log in the e-mail');
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

describe('UDP flood exported as sFlow', () => {
  it('opens a packet-limit incident and locks the server with its summary log', { timeout: 90_000 }, (t) => floodScenario(t));
});
