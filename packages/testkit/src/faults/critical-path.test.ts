import { describe, expect, it } from 'vitest';
import { criticalPath } from './critical-path.js';

const span = (startMs: number, endMs?: number, name = `${startMs}`) => ({ name, startMs, ...(endMs !== undefined ? { endMs } : {}) });

describe('criticalPath', () => {
  describe('when there are no requests', () => {
    it('is empty', () => {
      expect(criticalPath([])).toEqual({ length: 0, chain: [] });
    });
  });

  describe('when requests run one after another', () => {
    it('counts every one of them, in order', () => {
      const log = [span(60, 85, 'c'), span(0, 25, 'a'), span(30, 55, 'b')];
      const path = criticalPath(log);
      expect(path.length).toBe(3);
      expect(path.chain.map((r) => r.name)).toEqual(['a', 'b', 'c']);
    });
  });

  describe('when requests overlap', () => {
    it('counts a burst of concurrent requests as one round trip', () => {
      expect(criticalPath([span(0, 25), span(1, 26), span(2, 27), span(3, 28)]).length).toBe(1);
    });

    it('follows the longest chain, not the most requests', () => {
      // GET manifest, then 4 concurrent PUTs, then 4 concurrent HEADs: 3 round trips.
      const log = [span(0, 25, 'get'), ...[30, 31, 32, 33].map((s) => span(s, s + 25, 'put')), ...[60, 61, 62, 63].map((s) => span(s, s + 25, 'head'))];
      const path = criticalPath(log);
      expect(path.length).toBe(3);
      expect(path.chain.map((r) => r.name)).toEqual(['get', 'put', 'head']);
    });

    it('does not link a request that started exactly when another ended', () => {
      expect(criticalPath([span(0, 25), span(25, 50)]).length).toBe(1);
    });
  });

  describe('when a request never ended', () => {
    it('ends no chain but can start one', () => {
      expect(criticalPath([span(0, 10), span(20), span(30, 40)]).length).toBe(2);
    });
  });
});
