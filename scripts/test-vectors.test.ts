import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const hasFixtures = existsSync(resolve(repoRoot, '..', 'shared', 'fixtures', 'sigstore', 'cases.json'));

async function vectors(env: Record<string, string> = {}) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/test-vectors.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
}

describe('test-vectors', () => {
  describe('when ../shared is absent', () => {
    it('says SKIPPED and exits 0', async () => {
      const { stdout } = await vectors({ TAGWRIGHT_SHARED_DIR: resolve(repoRoot, 'does-not-exist') });
      expect(stdout).toMatch(/^SKIPPED: \.\.\/shared\/fixtures\/sigstore not found/);
    });
  });

  describe.runIf(hasFixtures)('when the real-world fixtures are present', () => {
    it('runs every case, fails none, and ends with the summary line', async () => {
      const { stdout } = await vectors();
      const lines = stdout.trimEnd().split('\n');
      expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed(, \d+ skipped)?$/);
      expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
      expect(stdout).toMatch(/^KNOWN-DEVIATION conformance\/rekor2-dsse-happy-path: /m);
      expect(stdout).toMatch(/^PASS +cosign-legacy\/keyless-github-actions-salrashid123: /m);
    }, 60_000);
  });
});
