/**
 * Blocking IDs: a prefix and 8 characters of Crockford base32 (40 random bits), e.g.
 * BL-7K3F9Q2D. Random rather than sequential, so a customer cannot enumerate other
 * customers' locks; short and unambiguous to read out on the phone (no I, L, O, U).
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newBlockingId(prefix: string): string {
  const bytes = randomBytes(5);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let text = '';
  for (let i = 0; i < 8; i++) {
    text = ALPHABET[Number(bits & 31n)] + text;
    bits >>= 5n;
  }
  return `${prefix}-${text}`;
}

export function isBlockingId(text: string): boolean {
  return /^[A-Z]{1,6}-[0-9A-HJKMNP-TV-Z]{8}$/.test(text);
}
