import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type NetscanEvent, renderNetscanEventLine, renderNetscanLog } from './netscan-log.ts';

/**
 * The seed's netscan log, copied character for character (the header has two TABs).
 * One thing in it cannot be reproduced: 13 November 2013 was a Wednesday, so no clock
 * prints "Thu Nov 13 ... 2013". The golden test compares with the weekday corrected and
 * proves the seed's weekday wrong; everything else must match byte for byte.
 */
const SEED = [
  '###################################################################',
  '#          Netscan detected from host   x.x.x.x                   #',
  '###################################################################',
  '',
  'time                        src_ip\t\t  dest_ip:dest_port',
  '-------------------------------------------------------------------',
  'Thu Nov 13 18:14:27 2013:   x.x.x.x =>         65.98.236.0:   22',
  'Thu Nov 13 18:14:27 2013:   x.x.x.x =>         65.98.236.1:   22',
  'Thu Nov 13 18:14:27 2013:   x.x.x.x =>         65.98.236.2:   22',
  'Thu Nov 13 18:14:27 2013:   x.x.x.x =>         65.98.236.3:   22',
];

const SEED_TIME = Date.UTC(2013, 10, 13, 18, 14, 27);

function seedEvents(): NetscanEvent[] {
  return [0, 1, 2, 3].map((i) => ({ timeMs: SEED_TIME + i * 10, srcAddr: 'x.x.x.x', dstAddr: `65.98.236.${i}`, dstPort: 22, protocol: 6, srcPort: 40000 + i }));
}

describe('renderNetscanLog', () => {
  test('reproduces the seed log byte for byte, weekday corrected', () => {
    assert.equal(new Date(SEED_TIME).getUTCDay(), 3, '2013-11-13 is a Wednesday');
    const expected = SEED.map((line) => line.replace(/^Thu Nov 13 /, 'Wed Nov 13 '));
    assert.notDeepEqual(expected, SEED);
    assert.deepEqual(renderNetscanLog({ host: 'x.x.x.x', events: seedEvents() }), expected);
    assert.equal(Buffer.from(SEED[4]).toString('hex').includes('0909'), true, 'the seed header carries two TAB bytes');
  });

  test('keeps the box 67 wide for every IPv4 address and widens it for long IPv6 hosts', () => {
    for (const host of ['192.0.2.1', '203.0.113.255', '255.255.255.255', '2001:db8::1']) {
      const [top, title, bottom, , , dashes] = renderNetscanLog({ host, events: [] });
      assert.equal(title.length, 67, host);
      assert.equal(top, '#'.repeat(67));
      assert.equal(bottom, top);
      assert.equal(dashes, '-'.repeat(67));
      assert.equal(title.indexOf(host), 40);
      assert.ok(title.endsWith(' #'));
    }
    const longest = '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff';
    const [top, title, , , , dashes] = renderNetscanLog({ host: longest, events: [] });
    assert.equal(title, `#          Netscan detected from host   ${longest} #`);
    assert.equal(top, '#'.repeat(title.length));
    assert.equal(dashes, '-'.repeat(title.length));
    // 25 characters still fit the 67-wide box with one space before the '#'.
    assert.equal(renderNetscanLog({ host: '2001:db8:1234:5678:9abc::', events: [] })[1].length, 67);
  });

  test('aligns destinations to 19 and ports to 5 characters, bracketing IPv6', () => {
    const line = (dstAddr: string, dstPort: number): string => renderNetscanEventLine({ timeMs: SEED_TIME, srcAddr: '192.0.2.7', dstAddr, dstPort });
    assert.equal(line('198.51.100.200', 3389), 'Wed Nov 13 18:14:27 2013:   192.0.2.7 =>      198.51.100.200: 3389');
    assert.equal(line('192.0.2.1', 65535), 'Wed Nov 13 18:14:27 2013:   192.0.2.7 =>           192.0.2.1:65535');
    assert.equal(line('2001:db8::2', 22), 'Wed Nov 13 18:14:27 2013:   192.0.2.7 =>       [2001:db8::2]:   22');
    assert.equal(line('2001:db8:0:ffff::ab', 443), 'Wed Nov 13 18:14:27 2013:   192.0.2.7 => [2001:db8:0:ffff::ab]:  443');
  });

  test('uses ctime day padding and the configured time zone', () => {
    const event: NetscanEvent = { timeMs: Date.UTC(2024, 2, 3, 23, 5, 9, 999), srcAddr: '192.0.2.7', dstAddr: '198.51.100.1', dstPort: 80 };
    assert.match(renderNetscanEventLine(event), /^Sun Mar {2}3 23:05:09 2024:/);
    assert.match(renderNetscanEventLine(event, 'Europe/Berlin'), /^Mon Mar {2}4 00:05:09 2024:/);
    const summer = { ...event, timeMs: Date.UTC(2024, 6, 31, 22, 30, 0) };
    assert.match(renderNetscanEventLine(summer, 'Europe/Berlin'), /^Thu Aug {2}1 00:30:00 2024:/);
    assert.throws(() => renderNetscanEventLine(event, 'Mars/Olympus_Mons'), /unknown time zone: Mars\/Olympus_Mons/);
  });

  test('sorts events by time, stably, and caps the listing', () => {
    const events = seedEvents().reverse();
    events.push({ timeMs: SEED_TIME - 1000, srcAddr: 'x.x.x.x', dstAddr: '65.98.235.255', dstPort: 22 });
    const lines = renderNetscanLog({ host: 'x.x.x.x', events }, { maxEvents: 2 });
    assert.deepEqual(lines.slice(6), [
      'Wed Nov 13 18:14:26 2013:   x.x.x.x =>       65.98.235.255:   22',
      'Wed Nov 13 18:14:27 2013:   x.x.x.x =>         65.98.236.0:   22',
      '..... (3 more not shown)',
    ]);
    const same = [1, 2, 3].map((i) => ({ timeMs: SEED_TIME, srcAddr: 'x', dstAddr: `198.51.100.${i}`, dstPort: i }));
    assert.deepEqual(
      renderNetscanLog({ host: 'x', events: same }).slice(6).map((l) => l.slice(-5).trim()),
      ['1', '2', '3'],
    );
  });
});
