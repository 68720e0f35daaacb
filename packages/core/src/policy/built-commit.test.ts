import { describe, expect, it } from 'vitest';
import { builtCommit, setCommitMismatch } from './built-commit.js';

const workflow = 'a'.repeat(40);
const built = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

describe('builtCommit', () => {
  it.each([
    { when: 'sha is given explicitly', input: { explicit: 'ABCDEF1', revision: built, workflow }, sha: 'abcdef1', from: 'sha input', note: false },
    { when: 'the image carries a revision', input: { revision: built, workflow }, sha: built, from: 'org.opencontainers.image.revision', note: false },
    { when: 'the explicit sha is empty', input: { explicit: ' ', revision: built.toUpperCase(), workflow }, sha: built, from: 'org.opencontainers.image.revision', note: false },
    { when: 'the image has no revision', input: { workflow }, sha: workflow, from: 'workflow commit', note: true },
    { when: 'the revision is a branch name', input: { revision: 'main', workflow }, sha: workflow, from: 'workflow commit', note: true },
  ])('when $when: $from', ({ input, sha, from, note }) => {
    const chosen = builtCommit(input);
    expect(chosen).toMatchObject({ sha, from });
    expect(chosen.note !== undefined).toBe(note);
    if (note) expect(chosen.note).toContain(`workflow's commit ${workflow.slice(0, 7)}`);
  });
});

describe('setCommitMismatch', () => {
  const a = 'a'.repeat(40);
  const b = 'b'.repeat(40);
  it.each([
    ['every image at the chosen commit', { 'r/api': a, 'r/web': a }, undefined],
    ['an image without a revision', { 'r/api': a, 'r/web': undefined }, undefined],
    ['a revision that is not a sha (a branch name)', { 'r/api': a, 'r/web': 'main' }, undefined],
    ['an abbreviated revision of the same commit', { 'r/api': a, 'r/web': 'AAAAAAA' }, undefined],
    [
      'two images at another commit',
      { 'r/api': a, 'r/web': b, 'r/db': `c${'0'.repeat(39)}` },
      `the images were not all built from aaaaaaa (org.opencontainers.image.revision of r/api): r/web bbbbbbb, r/db c000000; {sha} and the release's commit are aaaaaaa; give sha to choose another`,
    ],
  ])('%s', (_, revisions, expected) => {
    expect(setCommitMismatch({ sha: a, image: 'r/api' }, revisions)).toBe(expected);
  });
});
