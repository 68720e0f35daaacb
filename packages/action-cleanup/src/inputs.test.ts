import { describe, expect, it } from 'vitest';
import { parseKeepN } from './inputs.js';

describe('parseKeepN', () => {
  describe('when the lines are valid', () => {
    it.each([
      [['30'], [{ pattern: 'sha-*', count: 30 }]],
      [['sha-*=30'], [{ pattern: 'sha-*', count: 30 }]],
      [['sha-* = 30', 'pr-*=5'], [{ pattern: 'sha-*', count: 30 }, { pattern: 'pr-*', count: 5 }]],
      [['feature-*=0'], [{ pattern: 'feature-*', count: 0 }]],
      [[], []],
    ])('reads %j as %j', (lines, groups) => {
      expect(parseKeepN(lines)).toEqual(groups);
    });
  });

  describe('when a line is not a count or glob=count', () => {
    it.each([
      [['thirty'], 'line "thirty": expected a count (30) or glob=count (sha-*=30)'],
      [['sha-*=-1'], 'line "sha-*=-1": expected a count'],
      [['sha-*=1.5'], 'line "sha-*=1.5": expected a count'],
      [['=30'], 'line "=30": empty glob before ='],
      [['sha-*='], 'line "sha-*=": expected a count'],
    ])('refuses %j', (lines, message) => {
      expect(() => parseKeepN(lines)).toThrow(message);
    });
  });
});
