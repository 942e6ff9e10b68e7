/**
 * Stable error codes of the address index, so callers (the inventory loader, the API) can
 * tell bad inventory data from a programming error without matching message text.
 */
export type AddressIndexErrorCode =
  /** Text or object is not an IPv4/IPv6 prefix (bad syntax, length out of range, zone id). */
  | 'invalid_prefix'
  /** The prefix has bits set after its length; the index rejects instead of normalizing. */
  | 'host_bits_set'
  /** `lookup(text)` got something that is not a plain IPv4/IPv6 address. */
  | 'invalid_address'
  /** Values are small non-negative integers (server slots); anything else is refused. */
  | 'invalid_value'
  /** `build()` got the same prefix twice with different values. */
  | 'duplicate_prefix'
  /** A structural limit of the index was reached (see the table modules for the bounds). */
  | 'capacity_exceeded';

export class AddressIndexError extends Error {
  readonly code: AddressIndexErrorCode;

  constructor(code: AddressIndexErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AddressIndexError';
    this.code = code;
  }
}
