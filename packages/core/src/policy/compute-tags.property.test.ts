import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { OCI_TAG_GRAMMAR } from '../grammar/tag.js';
import { computeTags } from './compute-tags.js';
import type { TagPolicyInput } from './compute-tags.js';

/**
 * Property: whatever the ref (branch names, git tags, pull requests, anything), the event, the
 * prefix, the branch mapping and the stamp template, every tag compute-tags gives matches the
 * OCI tag grammar `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}` — or the input is refused with a
 * ConfigurationError before anything is computed.
 */

const now = new Date('2026-11-22T10:15:00Z');
const text = fc.string({ unit: 'binary', maxLength: 160 });
const ociish = fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,20}$/);
const numeric = fc.integer({ min: 0, max: 10 ** 15 }).map(String);
const identifier = fc.oneof(numeric, fc.stringMatching(/^[0-9A-Za-z-]{1,40}$/));
const semver = fc
  .tuple(numeric, numeric, numeric, fc.array(identifier, { maxLength: 4 }), fc.array(identifier, { maxLength: 4 }))
  .map(([a, b, c, pre, build]) => `${a}.${b}.${c}${pre.length ? `-${pre.join('.')}` : ''}${build.length ? `+${build.join('.')}` : ''}`);

const ref = fc.oneof(
  text.map((b) => `refs/heads/${b}`),
  fc.stringMatching(/^[a-zA-Z0-9/_.-]{1,300}$/).map((b) => `refs/heads/${b}`),
  text.map((t) => `refs/tags/${t}`),
  fc.tuple(fc.constantFrom('', 'v', 'api-', 'api/'), semver).map(([p, v]) => `refs/tags/${p}${v}`),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((n) => `refs/pull/${n}/merge`),
  text,
);

const event = fc.option(
  fc.record({
    name: fc.constantFrom('push', 'pull_request', 'pull_request_target', 'workflow_dispatch', 'schedule', 'release'),
    pullRequestNumber: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  }),
  { nil: undefined },
);

const policyInput = fc.record({
  ref,
  event,
  sha: fc.stringMatching(/^[0-9a-f]{40}$/),
  existingTags: fc.array(fc.oneof(semver.map((v) => v.replace(/\+.*$/, '')), ociish), { maxLength: 8 }),
  floating: fc.record({ major: fc.boolean(), minor: fc.boolean(), latest: fc.boolean() }),
  branchTags: fc.dictionary(text, ociish, { maxKeys: 3 }),
  stamp: fc.option(fc.constantFrom('prod-{date}-{sha}', '{version}-{datetime}', 'rel-{version}', 'nightly-{datetime}'), { nil: undefined }),
  shaTag: fc.boolean(),
  tagPrefix: fc.constantFrom('', 'v', 'api-', 'x'.repeat(100)),
  registryAware: fc.boolean(),
});

describe('computeTags', () => {
  describe('when given arbitrary branch names, git tags, refs and events', () => {
    it('gives only tags in the OCI tag grammar, or refuses the input', () => {
      fc.assert(
        fc.property(policyInput, (p) => {
          const input: TagPolicyInput = {
            ref: { ref: p.ref, sha: p.sha, ...(p.event ? { event: p.event } : {}) },
            existingTags: p.existingTags,
            floating: p.floating,
            branchTags: p.branchTags,
            ...(p.stamp !== undefined ? { stamp: p.stamp } : {}),
            shaTag: p.shaTag,
            tagPrefix: p.tagPrefix,
            registryAware: p.registryAware,
            now,
          };
          let tags: string[];
          try {
            tags = computeTags(input).tags;
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigurationError);
            return;
          }
          for (const tag of tags) expect(tag).toMatch(OCI_TAG_GRAMMAR);
        }),
        { numRuns: 1000 },
      );
    }, 60_000);
  });
});
