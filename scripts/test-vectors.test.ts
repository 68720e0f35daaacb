import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const realFixtures = resolve(repoRoot, '..', 'shared', 'fixtures', 'sigstore');
const hasFixtures = existsSync(resolve(realFixtures, 'cases.json'));

/** A shared dir whose cases.json holds `cases`, with the real fixture folders linked in. */
function sharedDirWith(cases: object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'tagwright-vectors-'));
  const fixtures = join(dir, 'fixtures', 'sigstore');
  mkdirSync(fixtures, { recursive: true });
  for (const sub of ['cosign-legacy', 'trust']) symlinkSync(join(realFixtures, sub), join(fixtures, sub));
  writeFileSync(join(fixtures, 'cases.json'), JSON.stringify({ cases }));
  return dir;
}

/** A real, verifying key-based cosign signature (containers/image fixture). */
const KEY_REKOR = {
  id: 'cosign-legacy/key-rekor-containers-image',
  format: 'cosign legacy layer',
  expect: 'pass',
  payload: 'cosign-legacy/key-rekor-containers-image/payload.json',
  annotations: 'cosign-legacy/key-rekor-containers-image/layer-annotations.json',
  image: 'cosign-legacy/key-rekor-containers-image/image-manifest.json',
  imageDigest: 'sha256:0489474da8ea22426ece86ace6c1c0026ab2fd3cdfbbd62b7e94650266c37d9a',
  publicKey: 'cosign-legacy/key-rekor-containers-image/cosign.pub',
  trustedRoot: 'trust/public-good/trusted_root.json',
  verifierOptions: { ctlogThreshold: 0 },
};

async function failingRun(cases: object[]): Promise<{ code: unknown; stdout: string }> {
  const dir = sharedDirWith(cases);
  try {
    await vectors({ TAGWRIGHT_SHARED_DIR: dir });
  } catch (error) {
    const { code, stdout } = error as { code?: unknown; stdout: string };
    return { code, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('expected the vector runner to exit non-zero');
}

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

  describe.runIf(hasFixtures)('when a case expected to fail verifies', () => {
    it('reports FAIL and exits 1', async () => {
      const { code, stdout } = await failingRun([{ ...KEY_REKOR, id: 'cosign-legacy/negative/should-not-verify', expect: 'fail' }]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/^FAIL +cosign-legacy\/negative\/should-not-verify: expected fail, got pass: verified$/m);
      expect(stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
    }, 60_000);
  });

  describe.runIf(hasFixtures)('when a case expected to fail cannot even be read', () => {
    it('reports a harness error as FAIL, not as a rejection', async () => {
      const { code, stdout } = await failingRun([
        { ...KEY_REKOR, id: 'cosign-legacy/negative/missing-key', expect: 'fail', publicKey: 'cosign-legacy/no-such.pub' },
      ]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/^FAIL +cosign-legacy\/negative\/missing-key: expected fail, got fail: harness error: .*ENOENT/m);
    }, 60_000);
  });
});
