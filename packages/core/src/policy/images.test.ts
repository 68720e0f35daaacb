import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { computeTags } from './compute-tags.js';
import { addStagingTags, combineTagNames, stagingReservationFor } from './images.js';

const branchPlan = (branchTags: Record<string, string> = {}) =>
  computeTags({
    ref: { ref: 'refs/heads/main', sha: '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d' },
    existingTags: [],
    floating: { minor: true, major: true, latest: true },
    branchTags,
    shaTag: true,
    tagPrefix: '',
    registryAware: true,
    now: new Date('2026-11-22T10:15:00Z'),
  });

describe('combineTagNames', () => {
  describe('when every image gets the same tags', () => {
    it('reports them without a warning', () => {
      expect(
        combineTagNames([
          { image: 'ghcr.io/acme/app', tags: ['1.2.1', '1.2'] },
          { image: 'docker.io/acme/app', tags: ['1.2.1', '1.2'] },
        ]),
      ).toEqual({ tagNames: ['1.2.1', '1.2'], warnings: [] });
    });
  });

  describe('when an image gets other tags', () => {
    it.each([
      ['more tags', ['1.2.1', '1.2', '1', 'latest']],
      ['fewer tags', ['1.2.1']],
      ['the same tags in another order', ['1.2', '1.2.1']],
    ])('keeps the first image’s tags and names the other image (%s)', (_what, other) => {
      expect(
        combineTagNames([
          { image: 'ghcr.io/acme/app', tags: ['1.2.1', '1.2'] },
          { image: 'docker.io/acme/app', tags: other },
        ]),
      ).toEqual({
        tagNames: ['1.2.1', '1.2'],
        warnings: [
          `docker.io/acme/app gets tags ${other.join(', ')}, unlike ghcr.io/acme/app: each image's own registry tags decide its floating tags`,
        ],
      });
    });
  });

  describe('when no image is given', () => {
    it('refuses with INVALID_INPUT', () => {
      expect(() => combineTagNames([])).toThrow(ConfigurationError);
      expect(() => combineTagNames([])).toThrow('combine the tag names of the images: no image was given');
    });
  });
});

describe('addStagingTags', () => {
  describe('when a branch build reserved a staging tag', () => {
    it('puts the staging tag and staging first, with their reasons', () => {
      const plan = addStagingTags(branchPlan(), { gitTag: '1.5.0-staging.0', tagPrefix: '', reason: 'reserved: refs/tags/1.5.0-staging.0' });
      expect(plan.tags).toEqual(['1.5.0-staging.0', 'staging', 'main', 'sha-4f1c2d3']);
      expect(plan.decisions.slice(0, 2)).toEqual([
        { tag: '1.5.0-staging.0', given: true, reason: 'staging counter reserved: refs/tags/1.5.0-staging.0' },
        { tag: 'staging', given: true, reason: 'floating: the latest staging build, 1.5.0-staging.0' },
      ]);
    });
  });

  describe('when the branch is already mapped to staging', () => {
    it('gives staging once', () => {
      const plan = addStagingTags(branchPlan({ main: 'staging' }), { gitTag: '1.5.0-staging.3', tagPrefix: '', reason: 'r' });
      expect(plan.tags).toEqual(['1.5.0-staging.3', 'staging', 'sha-4f1c2d3']);
      expect(plan.decisions.filter((d) => d.tag === 'staging')).toHaveLength(1);
    });
  });

  describe('when the git tag and the image tags are spelled differently', () => {
    it.each([
      ['v2.0.0-staging.7', 'v', 'v2.0.0-staging.7'],
      ['v2.0.0-staging.7', '', '2.0.0-staging.7'],
      ['2.0.0-staging.7', 'v', 'v2.0.0-staging.7'],
    ])('spells git tag %s with prefix %j as %s', (gitTag, tagPrefix, imageTag) => {
      expect(addStagingTags(branchPlan(), { gitTag, tagPrefix, reason: 'r' }).tags[0]).toBe(imageTag);
    });
  });
});

describe('stagingReservationFor', () => {
  it.each([
    ['branch', true],
    ['release', false],
    ['tag', false],
    ['pull-request', false],
    ['other', false],
  ] as const)('a %s build reserves a staging tag: %s', (kind, reserve) => {
    const decision = stagingReservationFor(kind);
    expect(decision.reserve).toBe(reserve);
    if (!decision.reserve) expect(decision.note).toBe(`staging-counter: no staging tag reserved for a ${kind} build (only branch builds get one)`);
  });
});
