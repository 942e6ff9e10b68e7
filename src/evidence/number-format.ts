/**
 * German-style numbers as the seed's packet-limit summary prints them: '.' groups
 * thousands, ',' separates decimals ("40.674.000", "5,909").
 */

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** Whole number, truncated toward zero: "40.674.000". */
export function formatInteger(value: number): string {
  const whole = Math.trunc(value);
  const sign = whole < 0 ? '-' : '';
  return sign + groupThousands(String(Math.abs(whole)));
}

/**
 * A fixed-point number given as an integer count of 10^-decimals units, so the caller
 * decides how to get there without binary floating-point surprises:
 * formatFixed(5909, 3) is "5,909".
 */
export function formatFixed(units: number, decimals: number): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`formatFixed needs a safe integer, got ${units}`);
  const scale = 10 ** decimals;
  const sign = units < 0 ? '-' : '';
  const magnitude = Math.abs(units);
  const whole = Math.floor(magnitude / scale);
  if (decimals === 0) return sign + groupThousands(String(whole));
  return `${sign}${groupThousands(String(whole))},${String(magnitude - whole * scale).padStart(decimals, '0')}`;
}

/** Thresholds are usually whole; a fractional one keeps up to three decimals ("1,5"). */
export function formatThreshold(value: number): string {
  if (Number.isInteger(value)) return formatInteger(value);
  return formatFixed(Math.round(value * 1000), 3).replace(/0+$/, '');
}
