import { describe, expect, it } from 'vitest';
import { evaluateReleaseGates } from './gates.js';
import type { GateFacts } from './gates.js';

describe('evaluateReleaseGates', () => {
  it.each<[string, GateFacts, Array<[string, boolean, RegExp]>]>([
    ['nothing configured', {}, []],
    ['draft exists', { draft: { tag: '1.5.0', existing: { draft: true } } }, [['draft', true, /draft of 1.5.0 exists/]]],
    ['draft missing', { draft: { tag: '1.5.0' } }, [['draft', false, /has no release of tag 1.5.0/]]],
    ['no draft, release: published creates it', { draft: { tag: '1.5.0', createWithoutDraft: true } }, [['draft', true, /is created/]]],
    ['already published', { draft: { tag: '1.5.0', existing: { draft: false } } }, [['draft', true, /already published/]]],
    ['smoke prerelease exists', { requireRelease: { tag: '1.5.0-smoke', prerelease: true, found: { draft: false, prerelease: true } } }, [['require-release', true, /exists \(prerelease\)/]]],
    ['smoke release missing', { requireRelease: { tag: '1.5.0-smoke', prerelease: false } }, [['require-release', false, /no release 1.5.0-smoke/]]],
    ['smoke not a prerelease', { requireRelease: { tag: '1.5.0-smoke', prerelease: true, found: { draft: false, prerelease: false } } }, [['require-release', false, /not a prerelease/]]],
    ['smoke still a draft', { requireRelease: { tag: '1.5.0-smoke', prerelease: false, found: { draft: true, prerelease: true } } }, [['require-release', false, /still a draft/]]],
    [
      'all three, changelog failing',
      { draft: { tag: '1.5.0', existing: { draft: true } }, requireRelease: { tag: 's', prerelease: false, found: { draft: false, prerelease: false } }, changelog: { passed: false, reason: 'TBD' } },
      [['draft', true, /exists/], ['require-release', true, /s exists/], ['changelog-final', false, /TBD/]],
    ],
  ])('%s', (_name, facts, expected) => {
    const results = evaluateReleaseGates(facts);
    expect(results.map((r) => [r.gate, r.passed])).toEqual(expected.map(([gate, passed]) => [gate, passed]));
    for (const [index, [, , reason]] of expected.entries()) expect(results[index]!.reason).toMatch(reason);
  });
});
