/** Failures talking to a gateway, with a stable code for metrics, logs and the console. */
export type EnforceErrorCode =
  /** The command ran and exited non-zero (nft refused the batch, gobgp could not reach gobgpd). */
  | 'GATEWAY_COMMAND_FAILED'
  /** The command did not finish in time and was killed. */
  | 'GATEWAY_TIMEOUT'
  /** The command could not be started (binary missing, ssh not installed). */
  | 'GATEWAY_UNREACHABLE'
  /** The gateway answered with output we cannot read. */
  | 'GATEWAY_OUTPUT_INVALID'
  /** After applying, the gateway still does not enforce the desired state. */
  | 'GATEWAY_STATE_MISMATCH'
  /** The desired entries are unusable (bad prefix). */
  | 'ENTRY_INVALID';

export class EnforceError extends Error {
  readonly code: EnforceErrorCode;
  constructor(code: EnforceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
