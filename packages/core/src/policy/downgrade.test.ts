import { describe, expect, it } from 'vitest';
import { downgradeMessage, findDowngrades, isFloatingVersionTag } from './downgrade.js';

describe('isFloatingVersionTag', () => {
  it.each([
    ['latest', true],
    ['1', true],
    ['v1', true],
    ['1.2', true],
    ['v1.2', true],
    ['1.2.1', false],
    ['prod', false],
    ['01', false],
    ['1.2.3-rc.1', false],
    ['prod-20261122-abc1234', false],
  ])('%s -> %s', (tag, floating) => {
    expect(isFloatingVersionTag(tag)).toBe(floating);
  });
});

describe('findDowngrades', () => {
  describe('when a floating target holds a higher version', () => {
    it.each([
      { source: '1.2.1', tag: 'latest', held: ['1.3.0'], holds: '1.3.0' },
      { source: '1.2.1', tag: '1', held: ['1.2.0', '1.3.0'], holds: '1.3.0' },
      { source: 'v1.2.1', tag: '1.2', held: ['v1.2.2'], holds: 'v1.2.2' },
      { source: '1.3.0-rc.1', tag: 'latest', held: ['1.3.0'], holds: '1.3.0' },
      { source: '1.2.1', tag: 'latest', held: ['2.0.0', '1.3.0'], holds: '2.0.0' },
    ])('refuses $tag holding $held for $source', ({ source, tag, held, holds }) => {
      expect(findDowngrades({ sourceVersion: source, targets: [{ tag, heldVersionTags: held }] })).toEqual([{ tag, holds, to: source }]);
    });
  });

  describe('when nothing moves down', () => {
    it.each([
      { source: '1.3.0', tag: 'latest', held: ['1.2.1'] },
      { source: '1.3.0', tag: 'latest', held: ['1.3.0'] },
      { source: '1.3.0', tag: 'latest', held: [] },
      { source: '1.2.1', tag: 'prod', held: ['1.3.0'] },
      { source: '1.2.1', tag: '1.2.1', held: ['1.3.0'] },
      { source: 'build-42', tag: 'latest', held: ['1.3.0'] },
      { source: '1.3.0', tag: 'latest', held: ['1.3.0-rc.1', 'nightly'] },
    ])('allows $tag holding $held for $source', ({ source, tag, held }) => {
      expect(findDowngrades({ sourceVersion: source, targets: [{ tag, heldVersionTags: held }] })).toEqual([]);
    });
  });

  it('reads as a refusal naming every tag', () => {
    expect(downgradeMessage('promote r/app:1.2.1', [{ tag: 'latest', holds: '1.3.0', to: '1.2.1' }])).toBe(
      'promote r/app:1.2.1: would move latest from 1.3.0 down to 1.2.1 (a floating tag goes to a lower version); set allow-downgrade: true if this is intended; nothing was moved',
    );
  });
});
