/**
 * The story in a real browser (Debian's Chromium via playwright-core) against a
 * real Netwarden (collector, detector, API, worker) and a real SMTP server: a netscan
 * sent over UDP locks web01; the customer signs in, finds the lock and its log, sends an
 * incomplete unblock request and sees every missing field named, then a complete one;
 * the abuse desk finds the server by its address, reads the traffic chart, and approves
 * the request; the customer sees the server unlocked, and the release e-mail arrives.
 * With UPDATE_SCREENSHOTS=1 the main pages are saved to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser } from '../../src/auth/create-user.ts';
import { sampleSnapshot } from '../helpers/factories.ts';
import { createPerson, TEST_PASSWORD } from '../helpers/session-client.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/test-smtp-server.ts';
import { type SyntheticFlow, toNetflowV9Datagrams } from '../helpers/traffic-scenarios.ts';
import { launchChromium } from './chromium.ts';
import { screenshot } from './screenshots.ts';
import { type StoryData, seedStoryData } from './story-data.ts';
import { ensureWebBuild } from '../../scripts/web-build.ts';

const CUSTOMER = 'alice@example.com';
const STAFF = 'desk@example.net';
const CAUSE = 'An outdated WordPress plugin was abused to run an SSH scanner from /tmp.';
const MEASURES = 'Removed the plugin, deleted the scanner, reinstalled from a clean backup and changed all passwords.';
const APPROVAL = 'Thanks for the quick and thorough fix.';

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** web01 (203.0.113.10) sweeps port 22 of 300 addresses: the seed's "Netscan detected from host". */
async function sendNetscan(port: number): Promise<void> {
  const start = Date.now();
  const flows: SyntheticFlow[] = [];
  for (let i = 0; i < 300; i++) {
    flows.push({ startMs: start + i, endMs: start + i, src: '203.0.113.10', dst: `198.18.1.${i % 256}`, protocol: 6, srcPort: 40000 + i, dstPort: i < 256 ? 22 : 23, tcpFlags: 0x02, packets: 1, packetSize: 60 });
  }
  const socket = createSocket('udp4');
  try {
    for (const { datagram } of toNetflowV9Datagrams(flows, start - 10_000)) {
      await new Promise<void>((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    }
  } finally {
    socket.close();
  }
}

async function signIn(page: Page, baseUrl: string, email: string, heading: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('portal and console in a browser', { timeout: 240_000 }, () => {
  let smtp: TestSmtpServer;
  let server: TestServer;
  let browser: Browser;
  let customer: BrowserContext;
  let staff: BrowserContext;
  let data: StoryData;
  let blockingId: string;
  const pageErrors: string[] = [];

  before(async () => {
    await ensureWebBuild();
    smtp = await startTestSmtpServer();
    const netflowPort = await freeUdpPort();
    server = await startTestServer(
      {
        collector: { sflow: [], netflow: [`127.0.0.1:${netflowPort}`], ipfix: [], workers: 1 },
        notify: { from: 'Abuse Desk <abuse@example.net>', portalUrl: 'https://robot.example.net', smtp: { host: '127.0.0.1', port: smtp.port, timeoutSeconds: 5 } },
      },
      ['collector', 'detector', 'api', 'worker'],
    );
    const admin = await server.token(['admin']);
    assert.equal((await server.request('POST', '/api/v1/inventory/import', { token: admin, body: sampleSnapshot() })).status, 200);
    // The customer account K100 prefers German e-mail; this person reads the portal in English.
    await createUser(server.netwarden.repositories, { email: CUSTOMER, password: TEST_PASSWORD, role: 'customer', customerId: 'K100', language: 'en' }, { type: 'cli', id: 'test' });
    await createPerson(server, STAFF, 'staff');
    data = await seedStoryData(server.netwarden, Date.now());

    await sendNetscan(netflowPort);
    blockingId = await until(async () => {
      const locks = (await server.request('GET', '/api/v1/locks?serverId=EX-1', { token: admin })).body as Array<{ blockingId: string; state: string }>;
      return locks.find((l) => l.state === 'active')?.blockingId;
    }, 'the netscan lock');

    browser = await launchChromium();
    const contextOptions = { viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'UTC', acceptDownloads: true };
    customer = await browser.newContext(contextOptions);
    staff = await browser.newContext(contextOptions);
    for (const context of [customer, staff]) {
      context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(error.message)));
    }
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  let customerPage: Page;
  let requestId: number;

  it('the customer signs in and sees that web01 is locked, with the Blocking ID, reason, scope and since', async () => {
    customerPage = await customer.newPage();
    const page = customerPage;
    await signIn(page, server.baseUrl, CUSTOMER, 'My servers');
    assert.equal(new URL(page.url()).pathname, '/portal');
    const answer = page.getByTestId('lock-answer-EX-1');
    assert.match(await answer.innerText(), /Is web01 \(EX-1\) locked\?\s+Yes\. web01 \(EX-1\) is locked/);
    const row = page.locator(`tr[data-blocking-id="${blockingId}"]`);
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], blockingId);
    assert.equal(cells[1], 'Port or network scan');
    assert.equal(cells[2], 'the whole server');
    assert.match(cells[3], /\d{4}.*\d{2}:\d{2}/, 'since: a date and time');
    assert.equal(cells[4], 'locked');
    await screenshot(page, 'portal-overview');
  });

  it('the whole portal switches to German and back, and the setting is stored', async () => {
    const page = customerPage;
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { level: 1, name: 'Meine Server' }).waitFor();
    assert.match(await page.getByTestId('lock-answer-EX-1').innerText(), /Ist web01 \(EX-1\) gesperrt\?\s+Ja\. web01 \(EX-1\) ist gesperrt/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    assert.equal(await page.locator(`tr[data-blocking-id="${blockingId}"] td`).nth(1).innerText(), 'Port- oder Netzwerkscan');
    const stored = await server.netwarden.repositories.users.findByEmailKey(CUSTOMER);
    assert.equal(stored?.language, 'de');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Meine Server' }).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'My servers' }).waitFor();
  });

  it('the customer reads the lock\'s log and downloads it', async () => {
    const page = customerPage;
    await page.getByRole('link', { name: blockingId, exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: `Lock ${blockingId}` }).waitFor();
    const log = page.getByTestId('lock-log');
    await log.waitFor();
    const text = await log.innerText();
    assert.ok(text.includes('#          Netscan detected from host   203.0.113.10              #'), text.slice(0, 300));
    assert.match(text, /203\.0\.113\.10 => +198\.18\.1\.7: +22/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download ${blockingId}.log` }).click()]);
    assert.equal(download.suggestedFilename(), `${blockingId}.log`);
    const chunks: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
    const file = Buffer.concat(chunks).toString('utf8');
    assert.equal(file, await server.netwarden.repositories.locks.logFile(blockingId), 'the download is the stored log file');
    assert.equal(file.trimEnd(), text.trimEnd(), 'the page shows the same log');
    await screenshot(page, 'portal-lock-log');
  });

  it('an incomplete unblock request is refused with each missing field named', async () => {
    const page = customerPage;
    await page.getByRole('navigation').getByRole('link', { name: 'Unblock requests' }).click();
    await page.getByRole('heading', { level: 1, name: 'Unblock request' }).waitFor();
    await page.getByLabel('Blocking ID').selectOption(blockingId);
    await page.getByLabel('Cause found').fill('A WordPress plugin');
    await page.getByRole('button', { name: 'Send unblock request' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    assert.match(await summary.innerText(), /Please correct 3 fields/);
    assert.deepEqual(await summary.locator('li').allInnerTexts(), [
      'Cause found: needs at least 20 characters: describe the cause you found',
      'Measures taken: is required: describe what you did to solve the problem',
      'Confirmation: is required: confirm that the problem is solved',
    ]);
    assert.equal(await page.locator('#cause-error').innerText(), 'needs at least 20 characters: describe the cause you found');
    assert.equal(await page.locator('#measures-error').innerText(), 'is required: describe what you did to solve the problem');
    assert.equal(await page.locator('#confirmed-error').innerText(), 'is required: confirm that the problem is solved');
    for (const id of ['cause', 'measures', 'confirmed']) assert.equal(await page.locator(`#${id}`).getAttribute('aria-invalid'), 'true', id);
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'error-summary', 'the summary takes the focus');
    const lock = await server.netwarden.repositories.locks.get(blockingId);
    assert.equal(lock?.state, 'active', 'nothing changed');
    await screenshot(page, 'portal-unblock-errors');
  });

  it('a complete unblock request is accepted', async () => {
    const page = customerPage;
    await page.getByLabel('Cause found').fill(CAUSE);
    await page.getByLabel('Measures taken').fill(MEASURES);
    await page.getByLabel('I confirm that the problem is solved.').check();
    await page.getByRole('button', { name: 'Send unblock request' }).click();
    await page.getByRole('status').filter({ hasText: `Your unblock request for ${blockingId} was sent.` }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'no errors left');
    const requests = await server.netwarden.repositories.locks.unblockRequests({ blockingId });
    assert.equal(requests.length, 1);
    assert.equal(requests[0].cause, CAUSE);
    assert.equal(requests[0].measures, MEASURES);
    requestId = requests[0].id;
    assert.equal((await server.netwarden.repositories.locks.get(blockingId))?.state, 'unblock_requested');
  });

  let staffPage: Page;

  it('the abuse desk sees the live incidents', async () => {
    staffPage = await staff.newPage();
    const page = staffPage;
    await signIn(page, server.baseUrl, STAFF, 'Live incidents');
    assert.equal(new URL(page.url()).pathname, '/console');
    const row = page.locator(`tr[data-incident-id="${data.openIncidentId}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells.slice(0, 4), ['EX-2', 'K200', '203.0.113.20', 'flood · out']);
    assert.match(cells[4], /212\.4 kpps\s+254 Mbit\/s/);
    await screenshot(page, 'console-incidents');
  });

  it('finds web01 by its address and draws its traffic chart from the stored series', async () => {
    const page = staffPage;
    await page.getByLabel('Search: IP address, server, customer or Blocking ID').fill('203.0.113.10');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('belongs to server EX-1 of customer K100').waitFor();
    await page.getByRole('link', { name: 'EX-1 · web01' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Server EX-1' }).waitFor();
    const packets = page.getByTestId('chart-packets');
    await packets.waitFor();
    // 350 stored minutes drawn as one line; the flood's 135,580 packets/s crosses the 100 k threshold line.
    const path = (await page.getByTestId('chart-packets-out').getAttribute('d')) ?? '';
    assert.ok((path.match(/L/g) ?? []).length >= 300, `a line through the stored samples (${path.length} chars)`);
    const thresholdY = Number(await page.getByTestId('chart-packets-threshold-out').getAttribute('y1'));
    const topY = Math.min(...[...path.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1])));
    assert.ok(topY < thresholdY, `the flood peak (y=${topY}) is drawn above the threshold line (y=${thresholdY})`);
    const markers = await packets.locator('g.incident-mark').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-incident-id')));
    assert.ok(markers.includes(data.floodIncidentId), `flood marker in ${markers.join(',')}`);
    assert.match((await packets.locator('svg').getAttribute('aria-label')) ?? '', /peak out 135\.6 kpps/);
    assert.match(await page.getByTestId('chart-bits').innerText(), /threshold out: 5 Gbit\/s \(above the chart\)/);
    await screenshot(page, 'console-server-traffic');
  });

  it('shows the review queue', async () => {
    const page = staffPage;
    await page.getByRole('link', { name: 'Review queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
    const item = page.locator(`article[data-blocking-id="${data.reviewLock.blockingId}"]`);
    await item.waitFor();
    assert.match(await item.innerText(), /EX-2 · Attack from the server/);
    assert.match(await item.innerText(), /flood \(out\).*212\.4 kpps, 254 Mbit\/s/);
    await screenshot(page, 'console-review-queue');
  });

  it('staff approve the unblock request (a rejection without a reason is refused)', async () => {
    const page = staffPage;
    await page.getByRole('link', { name: 'Unblock requests' }).click();
    await page.getByRole('heading', { level: 1, name: 'Unblock requests' }).waitFor();
    const card = page.locator(`article[data-request-id="${requestId}"]`);
    await card.waitFor();
    assert.ok((await card.innerText()).includes(CAUSE));
    assert.ok((await card.innerText()).includes(MEASURES));
    await card.getByRole('button', { name: 'Reject' }).click();
    await card.locator(`#request-${requestId}-message-error`).waitFor();
    assert.equal(await card.locator(`#request-${requestId}-message-error`).innerText(), 'tell the customer why (at least 10 characters)');
    await screenshot(page, 'console-unblock-requests');
    await card.getByLabel('Message to the customer').fill(APPROVAL);
    await card.getByRole('button', { name: 'Approve and unlock' }).click();
    await page.getByRole('status').filter({ hasText: `Request ${requestId} approved: ${blockingId} is unlocked.` }).waitFor();
    await page.locator(`article[data-request-id="${requestId}"]`).waitFor({ state: 'detached' });
    assert.equal((await server.netwarden.repositories.locks.get(blockingId))?.state, 'released');
  });

  it('the customer sees web01 unlocked, and the e-mail has arrived', async () => {
    const page = customerPage;
    await page.getByRole('navigation').getByRole('link', { name: 'My servers' }).click();
    await page.getByRole('heading', { level: 1, name: 'My servers' }).waitFor();
    assert.match(await page.getByTestId('lock-answer-EX-1').innerText(), /No\. web01 \(EX-1\) is not locked\./);
    assert.equal(await page.locator(`tr[data-blocking-id="${blockingId}"]`).count(), 0, 'no lock in force');
    await page.goto(`${server.baseUrl}/portal/locks/${blockingId}`);
    await page.getByRole('heading', { level: 1, name: `Lock ${blockingId}` }).waitFor();
    const request = page.locator(`[data-request-id="${requestId}"]`);
    await request.waitFor();
    assert.match(await request.innerText(), /approved/);
    assert.ok((await request.innerText()).includes(`Answer of the abuse desk: ${APPROVAL}`));

    const mails = await until(async () => {
      const parsed = await Promise.all(smtp.received.map((m) => simpleParser(m.raw)));
      const released = parsed.filter((m) => (m.subject ?? '').includes(blockingId) && (m.text ?? '').includes(APPROVAL));
      return released.length > 0 ? parsed : undefined;
    }, 'the release e-mail');
    const ofLock = mails.filter((m) => (m.subject ?? '').includes(blockingId));
    assert.equal(ofLock.length, 3, `lock, unblock request received, released: ${ofLock.map((m) => m.subject).join(' | ')}`);
    const released = ofLock.find((m) => (m.text ?? '').includes(APPROVAL));
    assert.match(released?.subject ?? '', /entsperrt/, 'the customer account K100 prefers German e-mail');
    assert.deepEqual(smtp.received.find((m) => m.raw.toString().includes(APPROVAL))?.rcptTo, ['noc@example.com']);
  });

  it('"Server locking": a private address is refused at its field, a static IP is added', async () => {
    const page = customerPage;
    await page.getByRole('navigation').getByRole('link', { name: 'Server locking' }).click();
    await page.getByRole('heading', { level: 1, name: 'Server locking' }).waitFor();
    await page.getByLabel('Static IP address').fill('10.1.2.3');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.locator('#prefix-error').waitFor();
    assert.match(await page.locator('#prefix-error').innerText(), /private-use/);
    await page.getByLabel('Static IP address').fill('198.51.100.7');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('status').filter({ hasText: '198.51.100.7/32 was added.' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Remove 198.51.100.7/32' }).isVisible());
    assert.deepEqual(
      (await server.netwarden.repositories.staticAccessIps.list('EX-1')).map((e) => e.prefix),
      ['198.51.100.7/32'],
    );
    await screenshot(page, 'portal-server-locking');
  });

  let bookedStart: string;

  it('books a remote console for a date and a time slot; the desk confirms the appointment', async () => {
    const page = customerPage;
    await page.getByRole('navigation').getByRole('link', { name: 'Remote console' }).click();
    await page.getByRole('heading', { level: 1, name: 'Remote console (KVM/LARA)' }).waitFor();
    await page.getByRole('button', { name: 'Book remote console' }).click();
    await page.locator('#start-error').waitFor();
    assert.equal(await page.locator('#start-error').innerText(), 'is required: pick a date and a time slot');
    // The second offered day, its third slot.
    const days = await page.getByLabel('Date').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    await page.getByLabel('Date').selectOption(days[1]);
    const slots = await page.getByLabel('Time slot').locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    bookedStart = slots[2];
    await page.getByLabel('Time slot').selectOption(bookedStart);
    await page.getByLabel('Note for the technician').fill('Rescue system please, the disk may need an fsck.');
    await page.getByRole('button', { name: 'Book remote console' }).click();
    await page.getByRole('status').filter({ hasText: 'The remote console was requested for' }).waitFor();
    const bookings = await server.netwarden.repositories.consoleBookings.list({ customerId: 'K100' });
    assert.equal(bookings.length, 1);
    assert.equal(new Date(bookings[0].startsAt).toISOString(), bookedStart);
    assert.equal(bookings[0].state, 'requested');
    await screenshot(page, 'portal-remote-console');

    const desk = staffPage;
    await desk.getByRole('link', { name: 'Remote console' }).click();
    await desk.getByRole('heading', { level: 1, name: 'Remote-console appointments' }).waitFor();
    const card = desk.locator(`article[data-booking-id="${bookings[0].id}"]`);
    assert.match(await card.innerText(), /fsck/);
    await card.getByLabel('Message to the customer').fill('The technician connects the KVM at the start of the slot.');
    await card.getByRole('button', { name: 'Confirm' }).click();
    await desk.getByRole('status').filter({ hasText: `Appointment ${bookings[0].id} confirmed.` }).waitFor();
    await page.reload();
    await page.getByRole('cell', { name: 'confirmed' }).waitFor();
  });

  it('takes a support request about the server and its Blocking ID; the desk answers it', async () => {
    const page = customerPage;
    await page.getByRole('navigation').getByRole('link', { name: 'Support' }).click();
    await page.getByRole('heading', { level: 1, name: 'Support' }).waitFor();
    await page.getByRole('button', { name: 'Send support request' }).click();
    await page.getByRole('alert').waitFor();
    assert.deepEqual(await page.getByRole('alert').locator('li a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))), ['#subject', '#message']);
    await page.getByLabel('Server').selectOption('EX-1');
    await page.getByLabel('Blocking ID').selectOption(blockingId);
    await page.getByLabel('Subject').fill('Was the scan really from us?');
    await page.getByLabel('Message').fill('We want to be sure nothing else on web01 is compromised.');
    await page.getByRole('button', { name: 'Send support request' }).click();
    await page.getByRole('status').filter({ hasText: 'Your support request was sent.' }).waitFor();
    const [request] = await server.netwarden.repositories.supportRequests.list({ customerId: 'K100' });
    assert.deepEqual([request.serverId, request.blockingId, request.subject], ['EX-1', blockingId, 'Was the scan really from us?']);

    const desk = staffPage;
    await desk.getByRole('link', { name: 'Support requests' }).click();
    const card = desk.locator(`article[data-support-id="${request.id}"]`);
    await card.waitFor();
    await card.getByLabel('Answer to the customer').fill('The log shows only the scanner you removed.');
    await card.getByRole('button', { name: 'Answer and close' }).click();
    await card.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByText('Answer: The log shows only the scanner you removed.').waitFor();
  });

  it('the audit log names every actor of the story', async () => {
    const page = staffPage;
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    // The entries load after the heading: wait for the table to hold the oldest one asked about.
    await page.locator('tbody tr', { hasText: 'unblock_request.created' }).first().waitFor({ timeout: 10_000 });
    const rows = await page.locator('tbody tr').allInnerTexts();
    const has = (actor: string, action: string) => rows.some((r) => r.includes(actor) && r.includes(action));
    assert.ok(has(`customer/${CUSTOMER}`, 'unblock_request.created'), 'the customer\'s request');
    assert.ok(has(`staff/${STAFF}`, 'lock.released'), 'the desk\'s release');
    assert.ok(has(`customer/${CUSTOMER}`, 'console_booking.requested'));
    assert.ok(has(`staff/${STAFF}`, 'console_booking.confirmed'));
  });

  it('raised no script errors on any page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
