import { ConfigurationError } from '../errors.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const SHORT = /^(\d+)\s*([hdw])$/i;
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i;

/**
 * Parses a retention age: `30d`, `12h`, `2w` (hours, days, weeks), or an ISO 8601 duration made of
 * weeks, days, hours, minutes and seconds (`P30D`, `P2W`, `PT12H`, `P1DT6H`;
 * {@link https://en.wikipedia.org/wiki/ISO_8601#Durations | ISO 8601 durations}).
 * Years and months (`P1Y`, `P6M`) are refused: their length depends on the calendar.
 *
 * @param input - the duration as the user wrote it.
 * @param name - the name of the input, used in the error message; default `olderThan`.
 * @returns the duration in milliseconds (0 or more).
 * @throws {@link ConfigurationError} `INVALID_INPUT` naming the input and what is wrong.
 * @example
 * ```ts
 * parseRetentionDuration('30d'); // 2_592_000_000
 * parseRetentionDuration('PT12H'); // 43_200_000
 * ```
 */
export function parseRetentionDuration(input: string, name = 'olderThan'): number {
  const fail = (problem: string): never => {
    throw new ConfigurationError('INVALID_INPUT', `parse ${name} ${JSON.stringify(input)}: ${problem}`);
  };
  const text = input.trim();
  if (text === '') return fail('empty duration; expected e.g. 30d, 12h, 2w or P30D');

  const short = SHORT.exec(text);
  if (short) {
    const unit = (short[2] ?? '').toLowerCase();
    const factor = unit === 'h' ? HOUR : unit === 'd' ? DAY : WEEK;
    return checked(Number(short[1]) * factor, fail);
  }

  if (/^P/i.test(text)) {
    const iso = ISO.exec(text);
    if (!iso || /T$/i.test(text) || text.length === 1) {
      if (/^P(?:\d+Y)|^P[^T]*\d+M/i.test(text)) {
        return fail('years and months have no fixed length; use days or weeks (e.g. P30D, P4W)');
      }
      return fail('not an ISO 8601 duration of weeks, days, hours, minutes or seconds (e.g. P30D, PT12H)');
    }
    const [, w, d, h, m, s] = iso;
    const ms =
      Number(w ?? 0) * WEEK + Number(d ?? 0) * DAY + Number(h ?? 0) * HOUR + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1000;
    return checked(ms, fail);
  }

  if (/^\d+\s*m$/i.test(text)) return fail('unit "m" is ambiguous (minutes or months); use h, d or w');
  return fail('expected a whole number followed by h, d or w (e.g. 30d, 12h, 2w) or an ISO 8601 duration (e.g. P30D)');
}

function checked(ms: number, fail: (problem: string) => never): number {
  if (!Number.isSafeInteger(ms)) return fail('duration is too large');
  return ms;
}
