/** The built message as a mail client sees it: headers, both alternatives, the log attachment. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { attachmentName, composeMessage } from './compose-message.ts';
import type { LockNotice } from './notice.ts';

const LOG = [
  'Blocking ID: L-2026-000123',
  '###################################################################',
  '#          Netscan detected from host   203.0.113.10              #',
  '###################################################################',
  '',
  'Thu Nov 13 18:14:27 2013:   203.0.113.10 =>         198.51.100.0:   22',
  'Grüße aus dem Log: ümlaut bytes stay UTF-8',
  '',
].join('\n');

function notice(language: 'en' | 'de'): LockNotice {
  return {
    kind: 'locked',
    blockingId: 'L-2026-000123',
    customer: { id: 'K100', name: 'Müller & Söhne GmbH', email: 'ops@example.com', language },
    server: { id: 'EX-1', name: 'web01', addresses: ['203.0.113.10/32'] },
    reason: 'netscan',
    scope: ['203.0.113.10/32'],
    sinceMs: Date.UTC(2026, 2, 1, 14, 5, 9),
    portalUrl: 'http://127.0.0.1:8080/locks/L-2026-000123',
    logFile: { filename: 'L-2026-000123.log', content: LOG },
  };
}

describe('composeMessage', () => {
  it('builds a 7-bit RFC 5322 message that parses back to what was rendered', async () => {
    const now = Date.UTC(2026, 2, 1, 14, 6, 0);
    const composed = await composeMessage(notice('de'), { from: 'Netwarden Abuse <abuse@example.net>', replyTo: 'abuse-desk@example.net', now });
    assert.equal(composed.recipient, 'ops@example.com');
    assert.equal(composed.language, 'de');
    assert.equal(composed.subject, '[Blocking ID L-2026-000123] Ihr Server web01 wurde gesperrt');
    assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(composed.message), 'only 7-bit text in the stored message');
    assert.ok(!/[^\r]\n/.test(composed.message), 'CRLF line ends');

    const parsed = await simpleParser(composed.message);
    assert.equal(parsed.subject, composed.subject);
    assert.equal(parsed.from?.value[0]?.address, 'abuse@example.net');
    assert.equal(parsed.from?.value[0]?.name, 'Netwarden Abuse');
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    assert.equal(to?.value[0]?.address, 'ops@example.com');
    assert.equal(to?.value[0]?.name, 'Müller & Söhne GmbH');
    assert.equal(parsed.replyTo?.value[0]?.address, 'abuse-desk@example.net');
    assert.equal(parsed.date?.getTime(), now);
    assert.ok(parsed.messageId !== undefined && /^<.+@.+>$/.test(parsed.messageId));
    assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(parsed.headers.get('x-netwarden-blocking-id'), 'L-2026-000123');
    assert.ok(parsed.text?.includes('Guten Tag Müller & Söhne GmbH,'));
    assert.ok(parsed.text?.includes('Mit freundlichen Grüßen'));
    assert.ok(typeof parsed.html === 'string' && parsed.html.includes('Müller &#38; Söhne GmbH'));
    assert.equal(parsed.attachments.length, 1);
    const [attachment] = parsed.attachments;
    assert.equal(attachment?.filename, 'L-2026-000123.log');
    assert.equal(attachment?.contentType, 'text/plain');
    assert.equal(attachment?.contentDisposition, 'attachment');
    // Base64 keeps the log byte for byte, line ends included.
    assert.equal(attachment?.content.toString('utf8'), LOG);
  });

  it('the same notice composed twice differs only in Message-ID and boundaries (the outbox keeps the first)', async () => {
    const a = await composeMessage(notice('en'), { from: 'abuse@example.net', now: 0 });
    const b = await composeMessage(notice('en'), { from: 'abuse@example.net', now: 0 });
    const [pa, pb] = await Promise.all([simpleParser(a.message), simpleParser(b.message)]);
    assert.notEqual(pa.messageId, pb.messageId);
    assert.equal(pa.text, pb.text);
    assert.equal(pa.subject, pb.subject);
  });

  it('without a log file there is no attachment', async () => {
    const parsed = await simpleParser((await composeMessage({ ...notice('en'), logFile: undefined }, { from: 'abuse@example.net', now: 0 })).message);
    assert.equal(parsed.attachments.length, 0);
    assert.ok(parsed.text?.includes('There is no log file for this lock.'));
  });

  it('attachment names lose directories and control characters', () => {
    assert.equal(attachmentName('../../etc/passwd', 'L-1'), 'passwd');
    assert.equal(attachmentName('C:\\logs\\lock.txt', 'L-1'), 'lock.txt');
    assert.equal(attachmentName('a\r\nb.log', 'L-1'), 'ab.log');
    assert.equal(attachmentName('..', 'L-1'), 'L-1.log');
    assert.equal(attachmentName('', 'L-1'), 'L-1.log');
  });
});
