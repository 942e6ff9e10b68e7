/**
 * Scenario: a customer server scans port 22 across a /24 with nmap. Once per export
 * protocol (NetFlow v9, IPFIX, sFlow), each with a fresh Netwarden:
 * nmap SYN scan -> pmacctd on the gateway exports it -> a netscan incident whose log
 * lists the addresses the scan really reached -> the lock enforced on the gateway with
 * nftables -> a traceroute from the internet ends at the gateway while the customer's
 * static-IP host still connects -> the e-mail with the log reaches a real SMTP server ->
 * an unblock request through the API, approved by staff -> the server is reachable again.
 * Prints the time from the first scan packet to the enforced lock.
 *
 * Run by `npm run lab`, which builds the namespaces and runs this file inside the NOC one.
 */
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { simpleParser } from 'mailparser';
import { listen, tcpConnects, traceroute } from '../test/helpers/netns.ts';
import { waitForGatewayLock, gatewaySet, mentionsAddress } from './gateway-state.ts';
import { LAB_ADDRESSES as A } from './lab-addresses.ts';
import { attachLab, recordResult, waitFor } from './lab-context.ts';
import { addStaticAccessIp, LAB_CUSTOMER, LAB_SERVERS, type LabLock, startLabNetwarden } from './lab-netwarden.ts';
import { netscanLogHost, netscanLogLines, nmapPortStates, tcpdumpPackets } from './lab-parsers.ts';
import { EXPORT_PROTOCOLS, type ExportProtocol, startExporter } from './pmacct-exporter.ts';

const lab = attachLab();
after(() => lab.destroy());

const SERVER = LAB_SERVERS.scanner;
const SSH_PORT = 22;
/** detect.netscan.horizontalAddresses at its default. */
const NETSCAN_THRESHOLD = 100;

async function netscanScenario(t: TestContext, protocol: ExportProtocol): Promise<void> {
  const nw = await startLabNetwarden(lab);
  const { server, smtp, abuseToken: token } = nw;
  const stops: Array<() => Promise<void>> = [() => nw.stop()];
  try {
    // The customer's SSH on the server, and their static-IP host registered for it.
    const sshd = await listen(lab, 'srv1', [SERVER.address], SSH_PORT);
    stops.push(async () => {
      for (const p of sshd) await lab.stopProcess(p);
    });
    // Enforced only while the server is locked: the gateway lets the pair through both ways.
    await addStaticAccessIp(nw, SERVER.id, A.home);
    assert.ok(await tcpConnects(lab, 'inet', SERVER.address, SSH_PORT), 'before the scan the internet reaches the server');

    const exporter = await startExporter(lab, protocol);
    stops.push(() => exporter.stop());

    // What really reaches the victims: every SYN to port 22 arriving in their namespace.
    const capture = lab.spawn('victims', ['timeout', '90', 'tcpdump', '-i', 'eth0', '-n', '-tt', '-l', '-Q', 'in', 'tcp dst port 22 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn']);
    stops.push(() => lab.stopProcess(capture));
    let captured = '';
    let captureLog = '';
    capture.stdout?.setEncoding('utf8').on('data', (d: string) => (captured += d));
    capture.stderr?.setEncoding('utf8').on('data', (d: string) => (captureLog += d));
    await waitFor('tcpdump in the victims namespace', async () => (captureLog.includes('listening on') ? true : undefined), 10_000, 20);

    const nmapStartedAt = Date.now();
    const nmap = lab.exec(
      'srv1',
      ['timeout', '60', 'nmap', '-sS', '-Pn', '-n', `-p${SSH_PORT}`, '-T4', '--max-retries', '1', '--host-timeout', '10s', '-oG', '-', A.victimNetwork],
      { timeoutMs: 65_000 },
    );
    const lockedAt = await waitForGatewayLock(lab, SERVER.address, true, 30_000);
    const scan = await nmap;
    assert.equal(scan.code, 0, `nmap failed: ${scan.stderr}`);
    const scanned = nmapPortStates(scan.stdout, SSH_PORT);
    assert.equal(scanned.size, 256, 'nmap scanned the whole /24');

    const arrived = tcpdumpPackets(captured).filter((p) => p.src === SERVER.address && p.dstPort === SSH_PORT);
    assert.ok(arrived.length >= NETSCAN_THRESHOLD, `${arrived.length} SYNs reached the victims`);
    const firstPacketMs = Math.round(arrived[0].time * 1000);
    const latencyMs = lockedAt - firstPacketMs;
    assert.ok(latencyMs > 0, 'the lock came after the first scan packet');

    // The lock, its incident and its log: the addresses in the log are ones the scan reached.
    const locks = (await server.request('GET', `/api/v1/locks?serverId=${SERVER.id}`, { token })).body as LabLock[];
    assert.equal(locks.length, 1);
    const lock = locks[0];
    assert.equal(lock.reason, 'netscan');
    assert.equal(lock.state, 'active');
    assert.equal(lock.enforced, true);
    const decidedMs = Date.parse(lock.created);
    assert.ok(decidedMs >= firstPacketMs && decidedMs <= lockedAt, 'decided between the first packet and the enforcement');
    t.diagnostic(
      `${protocol}: first scan packet -> lock enforced on the gateway ${latencyMs} ms (detected and decided after ${decidedMs - firstPacketMs} ms; ` +
        `nmap started ${firstPacketMs - nmapStartedAt} ms before its first packet)`,
    );
    recordResult({ scenario: 'netscan', protocol, name: 'first scan packet -> lock enforced', value: latencyMs, unit: 'ms' });
    recordResult({ scenario: 'netscan', protocol, name: 'first scan packet -> lock decided', value: decidedMs - firstPacketMs, unit: 'ms' });
    const incidents = (await server.request('GET', `/api/v1/incidents?serverId=${SERVER.id}&kind=netscan`, { token })).body as Array<{ kind: string }>;
    assert.ok(incidents.length >= 1, 'a netscan incident');
    const arrivedAt = new Set(arrived.map((p) => p.dst));
    const checkLog = (log: string, where: string) => {
      assert.equal(netscanLogHost(log), SERVER.address, `${where}: the scanning host`);
      const lines = netscanLogLines(log);
      const targets = new Set(lines.map((l) => l.dst));
      assert.ok(targets.size >= NETSCAN_THRESHOLD, `${where}: ${targets.size} distinct targets listed`);
      for (const line of lines) {
        assert.equal(line.src, SERVER.address, where);
        assert.equal(line.port, SSH_PORT, where);
        assert.ok(arrivedAt.has(line.dst), `${where}: ${line.dst} is listed but no SYN to it reached the victims`);
        assert.ok(scanned.has(line.dst), `${where}: ${line.dst} is not one nmap scanned`);
      }
      return targets.size;
    };
    const logText = (await server.request('GET', `/api/v1/locks/${lock.blockingId}/log`, { token })).text;
    const listed = checkLog(logText, 'log from the API');
    t.diagnostic(`${protocol}: the log lists ${listed} scanned addresses; ${arrivedAt.size} SYN targets reached the victims`);

    // Enforcement: a traceroute from the internet ends at the gateway; the static IP still connects.
    const allowed = await gatewaySet(lab, 'allowed4');
    assert.ok(allowed !== null && mentionsAddress(allowed, A.home) && mentionsAddress(allowed, SERVER.address), `the static IP is allowed on the gateway: ${allowed}`);
    const hops = await traceroute(lab, 'inet', SERVER.address, 5);
    const last = hops.at(-1);
    assert.equal(last?.address, A.gateway.internet, `traceroute ends at the gateway: ${JSON.stringify(hops)}`);
    assert.ok(last?.flags.includes('!X'), 'administratively prohibited');
    assert.ok(!hops.some((h) => h.address === SERVER.address), 'the server does not answer');
    assert.equal(await tcpConnects(lab, 'inet', SERVER.address, SSH_PORT), false, 'the internet cannot connect');
    assert.ok(await tcpConnects(lab, 'home', SERVER.address, SSH_PORT), 'the static-IP host still connects');

    // The customer's e-mail with the log, at a real SMTP server.
    const mail = await waitFor('the lock e-mail', async () => smtp.received[0], 15_000);
    assert.deepEqual(mail.rcptTo, [LAB_CUSTOMER.email]);
    const parsed = await simpleParser(mail.raw);
    assert.ok(parsed.subject?.includes(lock.blockingId), parsed.subject);
    const attachment = parsed.attachments.find((a) => a.filename === `${lock.blockingId}.log`);
    assert.ok(attachment, 'the log is attached');
    checkLog(attachment.content.toString('utf8'), 'log in the e-mail');

    // Unblock request through the API, staff approval, the server reachable again.
    const sent = await server.request('POST', `/api/v1/locks/${lock.blockingId}/unblock-requests`, {
      token,
      body: { cause: 'A leaked SSH key let someone run nmap from the server', measures: 'Key revoked, server reinstalled, nmap removed', confirmed: true },
    });
    assert.equal(sent.status, 201, sent.text);
    const requestId = (sent.body as { request: { id: number } }).request.id;
    const approved = await server.request('POST', `/api/v1/unblock-requests/${requestId}/decision`, { token, body: { decision: 'approve', message: 'Thank you.' } });
    assert.equal(approved.status, 200, approved.text);
    assert.equal((approved.body as { lock: LabLock }).lock.state, 'released');
    await waitForGatewayLock(lab, SERVER.address, false, 10_000);
    assert.ok(await tcpConnects(lab, 'inet', SERVER.address, SSH_PORT), 'the internet reaches the server again');
    const after = await traceroute(lab, 'inet', SERVER.address, 5);
    assert.equal(after.at(-1)?.address, SERVER.address, `traceroute reaches the server: ${JSON.stringify(after)}`);
    const subjects = await waitFor('the release e-mail', async () => (smtp.received.length >= 3 ? smtp.received : undefined), 15_000);
    assert.equal(subjects.length, 3, 'lock, unblock request received, released');
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

for (const protocol of EXPORT_PROTOCOLS) {
  describe(`netscan exported as ${protocol}`, () => {
    it('is locked on the gateway, mailed with its log and unlocked after an approved unblock request', { timeout: 120_000 }, (t) => netscanScenario(t, protocol));
  });
}
