import { describe, expect, it } from 'vitest';
import { changelogSection } from './release-refs.js';

const changelog = `# @tagwright/action-promote

## 2.1.0

### Minor Changes

- abc1234: Faster promotion.

## 2.0.0

### Major Changes

- def5678: First release.
`;

describe('changelogSection', () => {
  describe('when the CHANGELOG.md has the version', () => {
    it.each([
      ['2.1.0', '### Minor Changes\n\n- abc1234: Faster promotion.'],
      ['2.0.0', '### Major Changes\n\n- def5678: First release.'],
    ])('gives the notes of %s without its heading', (version, notes) => {
      expect(changelogSection(changelog, version)).toBe(notes);
    });
  });

  describe('when it does not', () => {
    it('gives undefined (never a neighbouring section)', () => {
      expect(changelogSection(changelog, '2.0.1')).toBeUndefined();
      expect(changelogSection(changelog, '2.1')).toBeUndefined();
    });
  });
});
