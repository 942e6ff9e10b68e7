/** Templates: every kind in both languages, the Blocking ID in every subject, escaping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCK_REASONS, type LockNotice, NOTICE_KINDS, type NoticeKind, type NoticeLanguage } from './notice.ts';
import { reasonName, renderNotice } from './message-templates.ts';

function notice(kind: NoticeKind, language: NoticeLanguage, extra: Partial<LockNotice> = {}): LockNotice {
  return {
    kind,
    blockingId: 'L-2026-000123',
    customer: { id: 'K100', name: 'Example GmbH', email: 'ops@example.com', language },
    server: { id: 'EX-1', name: 'web01', addresses: ['203.0.113.10/32', '2001:db8:10::/64'] },
    reason: 'netscan',
    scope: ['203.0.113.10/32'],
    sinceMs: Date.UTC(2026, 2, 1, 14, 5, 9),
    portalUrl: 'https://portal.example.com/locks/L-2026-000123',
    logFile: { filename: 'L-2026-000123.log', content: 'Netscan detected from host 203.0.113.10\n' },
    ...extra,
  };
}

const SUBJECTS: Record<NoticeLanguage, Record<NoticeKind, string>> = {
  en: {
    locked: '[Blocking ID L-2026-000123] Your server web01 has been locked',
    warning: '[Blocking ID L-2026-000123] Warning: abuse from your server web01',
    unblock_received: '[Blocking ID L-2026-000123] We have received your unblock request for web01',
    released: '[Blocking ID L-2026-000123] Your server web01 has been unlocked',
    rejected: '[Blocking ID L-2026-000123] Your unblock request for web01 has been rejected',
  },
  de: {
    locked: '[Blocking ID L-2026-000123] Ihr Server web01 wurde gesperrt',
    warning: '[Blocking ID L-2026-000123] Warnung: Missbrauch von Ihrem Server web01',
    unblock_received: '[Blocking ID L-2026-000123] Ihre Entsperranfrage für web01 ist eingegangen',
    released: '[Blocking ID L-2026-000123] Ihr Server web01 wurde entsperrt',
    rejected: '[Blocking ID L-2026-000123] Ihre Entsperranfrage für web01 wurde abgelehnt',
  },
};

describe('message templates', () => {
  for (const language of ['en', 'de'] as const) {
    for (const kind of NOTICE_KINDS) {
      it(`${kind} in ${language}: subject with the Blocking ID, body naming the lock`, () => {
        const rendered = renderNotice(notice(kind, language));
        assert.equal(rendered.language, language);
        assert.equal(rendered.subject, SUBJECTS[language][kind]);
        assert.ok(rendered.text.includes('L-2026-000123'), 'text names the Blocking ID');
        assert.ok(rendered.text.includes('Example GmbH'), 'text greets the customer');
        assert.ok(rendered.text.includes('web01 (EX-1)'), 'text names the server');
        assert.ok(rendered.html.includes(`<html lang="${language}">`));
        assert.ok(rendered.html.includes('L-2026-000123'));
        assert.ok(rendered.text.endsWith(language === 'de' ? 'Mit freundlichen Grüßen\nIhr Abuse-Team\n' : 'Kind regards\nYour abuse team\n'));
        // Plain text is wrapped for mail readers; only a long URL may overflow.
        for (const line of rendered.text.split('\n')) {
          if (!line.includes('://')) assert.ok(line.length <= 76, `line too long: ${JSON.stringify(line)}`);
        }
      });
    }
  }

  it('the lock mail explains why, the log, how to check and how to recover (English)', () => {
    const { text } = renderNotice(notice('locked', 'en'));
    assert.match(text, /Reason: +Network scan \(port scan\) from your server/);
    assert.match(text, /Locked since: +2026-03-01 14:05 UTC/);
    assert.match(text, /Locked addresses: +203\.0\.113\.10\/32/);
    assert.ok(text.includes('the attached file L-2026-000123.log'));
    assert.ok(text.includes('    traceroute 203.0.113.10\n    tracert.exe 203.0.113.10'));
    assert.ok(text.replace(/\s+/g, ' ').includes('If it ends at our uplink gateway'));
    assert.match(text.replace(/\s+/g, ' '), /send us an unblock request for Blocking ID L-2026-000123 in the customer portal/);
    assert.ok(text.includes('https://portal.example.com/locks/L-2026-000123'));
    assert.match(text.replace(/\s+/g, ' '), /remote console/);
    assert.match(text.replace(/\s+/g, ' '), /static IP address/);
  });

  it('the lock mail in proper German (Sie-form, umlauts intact)', () => {
    const { text, html } = renderNotice(notice('locked', 'de'));
    const flat = text.replace(/\s+/g, ' ');
    assert.match(text, /Grund: +Netzwerkscan \(Portscan\) von Ihrem Server/);
    assert.match(text, /Gesperrt seit: +01\.03\.2026 um 14:05 Uhr \(UTC\)/);
    assert.ok(flat.includes('finden Sie im Anhang die Datei L-2026-000123.log'));
    assert.ok(flat.includes('senden Sie uns im Kundenportal eine Entsperranfrage für die Blocking ID L-2026-000123'));
    assert.ok(flat.includes('Remote-Konsole'));
    assert.ok(flat.includes('statische IP-Adresse'));
    assert.ok(flat.includes('Bitte prüfen Sie die Logdateien Ihres Servers'));
    for (const word of ['für', 'schützen', 'Grüßen', 'während', 'Büros']) assert.ok(text.includes(word), word);
    assert.ok(!/Ã|Â|\uFFFD/.test(text), 'no mojibake');
    assert.ok(!/\b(du|dich|dein)\b/i.test(flat), 'Sie-form only');
    assert.ok(html.includes('Grüßen'), 'HTML keeps UTF-8 umlauts (declared charset)');
  });

  it('without a log file the lock mail says so instead of pointing to an attachment', () => {
    const en = renderNotice(notice('locked', 'en', { logFile: undefined })).text;
    const de = renderNotice(notice('locked', 'de', { logFile: undefined })).text;
    assert.ok(en.includes('There is no log file for this lock.'));
    assert.ok(!en.includes('attached file'));
    assert.ok(de.includes('Zu dieser Sperre gibt es keine Logdatei.'));
  });

  it('the rejection carries the staff message, the release names the freed addresses', () => {
    const message = 'The scan is still running:\n  see the attached log.';
    const en = renderNotice(notice('rejected', 'en', { message })).text;
    assert.ok(en.includes('Why we cannot unlock the server yet\n'));
    assert.ok(en.includes('  The scan is still running:\n    see the attached log.'));
    const de = renderNotice(notice('rejected', 'de', { message })).text;
    assert.ok(de.includes('Warum wir den Server noch nicht entsperren können\n'));
    assert.ok(de.includes('  The scan is still running:'));
    const released = renderNotice(notice('released', 'en', { scope: ['203.0.113.10/32', '203.0.113.11/32'] })).text;
    assert.ok(released.replace(/\s+/g, ' ').includes('Traffic to and from 203.0.113.10/32, 203.0.113.11/32 is no longer blocked.'));
  });

  it('names every reason in both languages; an unknown reason reads as other', () => {
    for (const language of ['en', 'de'] as const) {
      const names = LOCK_REASONS.map((r) => reasonName(r, language));
      assert.equal(new Set(names).size, LOCK_REASONS.length, 'distinct names');
      for (const reason of LOCK_REASONS) {
        assert.ok(renderNotice(notice('locked', language, { reason })).text.includes(reasonName(reason, language)), reason);
      }
    }
    assert.equal(reasonName('abuse_phishing', 'de'), 'Missbrauch: Phishing-Seite');
    assert.equal(reasonName('non_payment', 'en'), 'Unpaid invoices');
    assert.equal(reasonName('made_up', 'en'), 'Other reason');
    assert.equal(reasonName('made_up', 'de'), 'Sonstiger Grund');
  });

  it('escapes HTML and keeps database values out of the header structure', () => {
    const rendered = renderNotice(
      notice('rejected', 'en', {
        customer: { id: 'K1', name: 'Eve <script>alert(1)</script> & Co', email: 'eve@example.com', language: 'en' },
        server: { id: 'EX-9', name: 'web\r\nBcc: victim@example.com', addresses: ['198.51.100.7/32'] },
        message: '<b>"quoted"</b>',
        portalUrl: 'javascript:alert(1)',
      }),
    );
    assert.equal(rendered.subject, '[Blocking ID L-2026-000123] Your unblock request for web Bcc: victim@example.com has been rejected');
    assert.ok(!/[\r\n]/.test(rendered.subject));
    assert.ok(rendered.html.includes('Eve &#60;script&#62;alert(1)&#60;/script&#62; &#38; Co'));
    assert.ok(rendered.html.includes('&#60;b&#62;&#34;quoted&#34;&#60;/b&#62;'));
    assert.ok(!rendered.html.includes('<script>'));
    assert.ok(!rendered.html.includes('href="javascript:'), 'a non-web URL is not a link');
    assert.ok(rendered.text.includes('Eve <script>alert(1)</script> & Co'), 'plain text stays as written');
  });

  it('a German customer gets German, anything else English', () => {
    const odd = notice('released', 'en');
    (odd.customer as { language: string }).language = 'fr';
    assert.equal(renderNotice(odd).language, 'en');
    assert.equal(renderNotice(notice('released', 'de')).language, 'de');
  });
});
