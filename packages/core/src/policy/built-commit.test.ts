import { describe, expect, it } from 'vitest';
import { builtCommit } from './built-commit.js';

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
