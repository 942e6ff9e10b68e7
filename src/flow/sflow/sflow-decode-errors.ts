/**
 * Why an sFlow datagram (or one of its samples) was not decoded. The collector turns these
 * into a counter per exporter and reason, so the list is closed and exported: it can
 * pre-create every label value.
 *
 * - truncated: the data ends before fixed-size fields (datagram header, sample or record
 *   body) or before the number of samples/records it announced.
 * - bad_version: not sFlow version 5.
 * - bad_address_type: agent address type neither 1 (IPv4) nor 2 (IPv6); the rest of the
 *   datagram cannot be located.
 * - bad_length: a length field points past the end of what contains it.
 * - zero_sampling_rate: a flow sample says 1-in-0; the sample is dropped because its
 *   packets and bytes cannot be scaled.
 */
export const SFLOW_DECODE_ERROR_REASONS = ['truncated', 'bad_version', 'bad_address_type', 'bad_length', 'zero_sampling_rate'] as const;

export type SflowDecodeErrorReason = (typeof SFLOW_DECODE_ERROR_REASONS)[number];

/**
 * Called once per error, on the hot path: keep it cheap (count, maybe log a sample).
 * `detail` says where decoding failed, e.g. "truncated flow sample at offset 120 (need 32, got 12)".
 */
export type SflowDecodeErrorHandler = (reason: SflowDecodeErrorReason, detail: string, exporter: string) => void;
