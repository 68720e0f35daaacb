import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { parseRetentionDuration } from './duration.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('parseRetentionDuration', () => {
  describe('when the duration is valid', () => {
    it.each([
      ['30d', 30 * DAY],
      ['12h', 12 * HOUR],
      ['2w', 14 * DAY],
      ['0d', 0],
      [' 7D ', 7 * DAY],
      ['P30D', 30 * DAY],
      ['p30d', 30 * DAY],
      ['P2W', 14 * DAY],
      ['PT12H', 12 * HOUR],
      ['P1DT6H', DAY + 6 * HOUR],
      ['PT90M', 90 * 60_000],
      ['PT45S', 45_000],
    ])('reads %j as %d ms', (input, ms) => {
      expect(parseRetentionDuration(input)).toBe(ms);
    });
  });

  describe('when the duration is malformed', () => {
    it.each([
      ['', /empty duration/],
      ['30', /expected a whole number followed by h, d or w/],
      ['30x', /expected a whole number/],
      ['-1d', /expected a whole number/],
      ['1.5d', /expected a whole number/],
      ['6m', /ambiguous/],
      ['P', /not an ISO 8601 duration/],
      ['PT', /not an ISO 8601 duration/],
      ['P1Y', /years and months have no fixed length/],
      ['P6M', /years and months have no fixed length/],
      ['P1D2H', /not an ISO 8601 duration/],
      ['99999999999999999w', /too large/],
    ])('refuses %j with a ConfigurationError naming the input', (input, problem) => {
      const error = (() => {
        try {
          parseRetentionDuration(input, 'older-than');
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).code).toBe('INVALID_INPUT');
      expect((error as Error).message).toContain(`parse older-than ${JSON.stringify(input)}: `);
      expect((error as Error).message).toMatch(problem);
    });
  });
});
