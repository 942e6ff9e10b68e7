/**
 * Reads what the gateway really enforces, independently of Netwarden's own read-back:
 * `nft list set` in the gateway namespace, matched as text.
 */
import type { NetnsLab } from '../test/helpers/netns.ts';

export const LAB_NFT_TABLE = 'netwarden';

/** Whether `text` names `address` as a whole (203.0.113.10 is not in 203.0.113.100). */
export function mentionsAddress(text: string, address: string): boolean {
  const escaped = address.replaceAll('.', '\\.');
  return new RegExp(`(^|[^0-9.])${escaped}(/32)?([^0-9.]|$)`, 'm').test(text);
}

/** The listing of one of Netwarden's sets on the gateway, or null when the table is not there. */
export async function gatewaySet(lab: NetnsLab, set: 'locked4' | 'allowed4'): Promise<string | null> {
  const result = await lab.exec('gw', ['nft', 'list', 'set', 'inet', LAB_NFT_TABLE, set], { timeoutMs: 5000 });
  return result.code === 0 ? result.stdout : null;
}

export async function lockedOnGateway(lab: NetnsLab, address: string): Promise<boolean> {
  const text = await gatewaySet(lab, 'locked4');
  return text !== null && mentionsAddress(text, address);
}

/**
 * Polls the gateway every `everyMs` until `address` is (or is no longer) in the locked
 * set; resolves with the wall-clock time it was first seen so.
 */
export async function waitForGatewayLock(lab: NetnsLab, address: string, locked: boolean, timeoutMs: number, everyMs = 50): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await lockedOnGateway(lab, address)) === locked) return Date.now();
    if (Date.now() > deadline) throw new Error(`${address} was not ${locked ? 'locked' : 'unlocked'} on the gateway within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Removes Netwarden's table, so the next scenario starts from a clean gateway. */
export async function clearGateway(lab: NetnsLab): Promise<void> {
  await lab.exec('gw', ['nft', 'delete', 'table', 'inet', LAB_NFT_TABLE], { timeoutMs: 5000 });
}
