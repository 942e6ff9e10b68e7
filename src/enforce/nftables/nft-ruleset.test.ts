import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EnforcementEntry } from '../enforcement-entry.ts';
import { stateDifferences } from '../enforcer.ts';
import { expectedNftState, nftBatch, nftContent } from './nft-ruleset.ts';
import { parseNftTable } from './nft-state.ts';

const entries: EnforcementEntry[] = [
  {
    blockingId: 'L-2026-000001',
    serverId: 'S1',
    gateway: 'gw',
    addresses: ['203.0.113.10/32', '2001:db8:10::/64'],
    allow: ['192.0.2.10/32', '2001:db8:200::10/128'],
  },
  { blockingId: 'L-2026-000002', serverId: 'S2', gateway: 'gw', addresses: ['198.51.100.64/28'], allow: ['192.0.2.16/29'] },
];

const fixture = readFileSync(join(import.meta.dirname, 'testdata', 'netwarden-table.json'), 'utf8');

/** The fixture with its objects passed through `edit`. */
function edited(edit: (objects: Array<Record<string, Record<string, unknown>>>) => Array<Record<string, Record<string, unknown>>>): string {
  const parsed = JSON.parse(fixture) as { nftables: Array<Record<string, Record<string, unknown>>> };
  return JSON.stringify({ nftables: edit(parsed.nftables) });
}

describe('nftables ruleset', () => {
  it('writes one batch that recreates only its own table, with every element once', () => {
    const batch = nftBatch('netwarden', entries);
    const lines = batch.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['table inet netwarden', 'delete table inet netwarden', 'table inet netwarden {']);
    assert.deepEqual(
      lines.filter((l) => /^\s+(table|delete|flush)\b/.test(l) || /^(table|delete|flush)\b/.test(l)),
      ['table inet netwarden', 'delete table inet netwarden', 'table inet netwarden {'],
      'no statement names another table',
    );
    assert.match(batch, /type filter hook prerouting priority -300; policy accept;/);
    assert.match(batch, /ip daddr @locked4 ip daddr \. ip saddr != @allowed4 reject with icmpx type admin-prohibited comment "netwarden:to-locked4"/);
    assert.match(batch, /ip saddr @locked4 ip saddr \. ip daddr != @allowed4 reject with icmpx type admin-prohibited comment "netwarden:from-locked4"/);
    assert.match(batch, /ip6 saddr @locked6 ip6 saddr \. ip6 daddr != @allowed6 reject/);
    assert.equal(batch.match(/203\.0\.113\.10\/32 \. 192\.0\.2\.10\/32/g)?.length, 1);
    assert.deepEqual(nftContent(entries), {
      locked4: ['198.51.100.64/28', '203.0.113.10/32'],
      locked6: ['2001:db8:10::/64'],
      allowed4: ['198.51.100.64/28 . 192.0.2.16/29', '203.0.113.10/32 . 192.0.2.10/32'],
      allowed6: ['2001:db8:10::/64 . 2001:db8:200::10/128'],
    });
  });

  it('writes empty sets without an elements line (nft refuses "elements = { }")', () => {
    const batch = nftBatch('netwarden', []);
    assert.doesNotMatch(batch, /elements/);
    assert.equal(batch.match(/^ {2}set /gm)?.length, 4);
  });

  it('merges nested locked prefixes of different servers and pairs only same-family addresses', () => {
    const content = nftContent([
      { blockingId: 'A', serverId: 'S1', gateway: 'gw', addresses: ['203.0.113.0/28'], allow: ['192.0.2.1/32'] },
      { blockingId: 'B', serverId: 'S2', gateway: 'gw', addresses: ['203.0.113.5/32'], allow: ['192.0.2.1/32', '2001:db8:200::1/128'] },
    ]);
    assert.deepEqual(content.locked4, ['203.0.113.0/28']);
    assert.deepEqual(content.allowed4, ['203.0.113.0/28 . 192.0.2.1/32']);
    assert.deepEqual(content.allowed6, []);
  });

  it('reads the real nft -j listing back into exactly the expected state', () => {
    const current = parseNftTable('netwarden', fixture);
    assert.deepEqual(current, expectedNftState(entries));
    assert.deepEqual(stateDifferences(expectedNftState(entries), current), []);
  });

  it('reports a table that is not there', () => {
    const current = parseNftTable('netwarden', edited((objects) => objects.filter((o) => o.metainfo !== undefined)));
    assert.deepEqual(current.problems, ['table inet netwarden is missing']);
  });

  it('sees a deleted rule, an added rule, a changed hook and a deleted element as drift', () => {
    const withoutRule = parseNftTable('netwarden', edited((o) => o.filter((x) => x.rule?.comment !== 'netwarden:to-locked4')));
    assert.deepEqual(withoutRule.problems, ['rule prerouting/netwarden:to-locked4 is missing']);

    const withExtra = parseNftTable(
      'netwarden',
      edited((o) => [...o, { rule: { family: 'inet', table: 'netwarden', chain: 'prerouting', handle: 99, expr: [{ accept: null }] } }]),
    );
    assert.deepEqual(withExtra.problems, ['unexpected rule prerouting/(no comment)']);

    const moved = parseNftTable('netwarden', edited((o) => o.map((x) => (x.chain !== undefined ? { chain: { ...x.chain, prio: 0 } } : x))));
    assert.deepEqual(moved.problems, ['chain prerouting is filter hook prerouting priority 0 policy accept']);

    const changedVerdict = parseNftTable(
      'netwarden',
      edited((o) =>
        o.map((x) =>
          x.rule?.comment === 'netwarden:from-locked4' ? { rule: { ...x.rule, expr: JSON.parse(JSON.stringify(x.rule.expr).replace('{"reject":{"type":"icmpx","expr":"admin-prohibited"}}', '{"accept":null}')) } } : x,
        ),
      ),
    );
    assert.deepEqual(changedVerdict.problems, ['rule netwarden:from-locked4 was changed (lacks "reject", "admin-prohibited")']);

    const lostElement = parseNftTable(
      'netwarden',
      edited((o) =>
        o.map((x) => (x.set?.name === 'locked4' ? { set: { ...x.set, elem: (x.set.elem as unknown[]).filter((e) => e !== '203.0.113.10') } } : x)),
      ),
    );
    assert.deepEqual(stateDifferences(expectedNftState(entries), lostElement), ['missing locked 203.0.113.10/32']);
  });

  it('ignores other tables in a full listing', () => {
    const other = edited((o) => [
      ...o,
      { table: { family: 'inet', name: 'provider', handle: 9 } },
      { chain: { family: 'inet', table: 'provider', name: 'input', handle: 1 } },
      { rule: { family: 'inet', table: 'provider', chain: 'input', handle: 2, expr: [{ accept: null }] } },
    ]);
    assert.deepEqual(parseNftTable('netwarden', other).problems, []);
  });

  it('refuses output it cannot read', () => {
    assert.throws(() => parseNftTable('netwarden', 'Error: permission denied'), { code: 'GATEWAY_OUTPUT_INVALID' });
  });
});
