import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { clientFor, createSigstoreMockWithTrustedRoot, pushIndex, pushLegacySignatures, startRegistry } from '@tagwright/testkit';
import type { RunningRegistry, SigstoreMockWithTrustedRoot } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
/** The built command, as `npx @tagwright/cli` runs it (`pnpm run build` first). */
const cli = path.join(root, 'packages', 'cli', 'dist', 'cli.mjs');
const ACTIONS = ['compute-tags', 'promote', 'rollback', 'cleanup', 'classify-ref'];
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const IDENTITY = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/1.4.0';
const ISSUER = 'https://token.actions.githubusercontent.com';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;

/** Runs the built CLI with only the given environment (plus PATH and an empty HOME). */
function run(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function tagsOf(client: RegistryClient, repo: RepositoryReference): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const tag of (await client.listTags(repo)).filter((t) => !t.endsWith('.sig')).sort()) {
    result[tag] = (await client.resolveDigest({ ...repo, tag })).digest;
  }
  return result;
}

const collapse = (text: string) => text.replace(/\s+/g, ' ');

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'tw-cli-home-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('tagwright CLI', () => {
  describe('when it runs the demo flow against a local registry (GitHub Actions variables)', () => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let trust: SigstoreMockWithTrustedRoot;

    beforeAll(async () => {
      [registry, trust] = await Promise.all([startRegistry(), createSigstoreMockWithTrustedRoot()]);
      client = clientFor(registry);
    });
    afterAll(async () => {
      await registry?.stop();
      await trust?.dispose();
    });

    it('computes the tags, promotes the build to them, then promotes 1.4.0 to prod after verifying its signature', async () => {
      const repo = { registry: registry.host, repository: 'acme/app' };
      const image = `${registry.host}/acme/app`;
      for (const [version, tags] of [
        ['1.3.0', ['1.3.0', '1.3', '1']],
        ['2.0.0', ['2.0.0', '2.0', '2', 'latest']],
      ] as Array<[string, string[]]>) {
        await pushIndex(client, repo, { tag: tags[0]!, seed: `release-${version}` });
        const manifest = await client.getManifest({ ...repo, tag: tags[0]! });
        for (const tag of tags.slice(1)) await client.putManifest(repo, tag, { bytes: manifest.bytes, mediaType: manifest.mediaType });
      }
      const build = await pushIndex(client, repo, { tag: 'sha-4f1c2d3', seed: 'build-1.4.0' });
      await pushLegacySignatures(client, repo, build.digest, [await trust.sigstore.signLegacy(build.digest, { identity: IDENTITY, issuer: ISSUER })]);
      const before = await tagsOf(client, repo);
      const github = { GITHUB_ACTIONS: 'true', GITHUB_REF: 'refs/tags/1.4.0', GITHUB_SHA: sha, GITHUB_EVENT_NAME: 'push' };

      const computed = await run(['compute-tags', '--images', image], github);
      expect(computed.code, computed.stderr).toBe(0);
      const tags = JSON.parse(computed.stdout) as Record<string, string>;
      expect(Object.keys(tags)).toEqual(['tags', 'tag-names', 'version', 'is-prerelease', 'is-latest', 'reserved-tag', 'json']);
      expect(tags['tag-names']!.split('\n')).toEqual(['1.4.0', '1.4', '1', 'sha-4f1c2d3']);
      expect(tags.version).toBe('1.4.0');
      expect(tags['is-latest']).toBe('false');
      expect(computed.stderr).toContain('latest'); // the summary (on stderr) says why latest stays

      const targets = tags['tag-names']!.split('\n').filter((tag) => tag !== 'sha-4f1c2d3');
      const promoted = await run(['promote', '--image', image, '--source', 'sha-4f1c2d3', ...targets.flatMap((t) => ['--targets', t])], github);
      expect(promoted.code, promoted.stderr).toBe(0);
      const release = JSON.parse(promoted.stdout) as Record<string, string>;
      expect(release.digest).toBe(build.digest);
      expect(JSON.parse(release.previous!)).toEqual({ '1.4.0': null, '1.4': null, '1': before['1'] });

      const summaryDir = await mkdtemp(path.join(tmpdir(), 'tw-cli-summary-'));
      const summaryFile = path.join(summaryDir, 'summary.md');
      const prod = await run(
        [
          'promote',
          '--image', image,
          '--source', '1.4.0',
          '--targets', 'prod,prod-{date}-{sha}',
          '--certificate-identity', IDENTITY,
          '--certificate-oidc-issuer', ISSUER,
          '--trusted-root', trust.trustedRoot,
          '--summary-file', summaryFile,
        ],
        github,
      );
      expect(prod.code, prod.stderr).toBe(0);
      const out = JSON.parse(prod.stdout) as Record<string, string>;
      expect(out.digest).toBe(build.digest);
      const verified = JSON.parse(out.verified!) as { signatures: Array<{ signerIdentity?: string }> };
      expect(verified.signatures.map((s) => s.signerIdentity)).toContain(IDENTITY);
      const stamp = out.tags!.split('\n')[1]!.split(':').pop()!;
      expect(stamp).toMatch(/^prod-\d{8}-4f1c2d3$/);
      expect((await readFile(summaryFile, 'utf8')).length).toBeGreaterThan(0);
      await rm(summaryDir, { recursive: true, force: true });

      expect(await tagsOf(client, repo)).toEqual({
        ...before,
        '1.4.0': build.digest,
        '1.4': build.digest,
        '1': build.digest,
        prod: build.digest,
        [stamp]: build.digest,
      });
    });

    it('refuses to promote a build whose signature is not the expected identity: exit 1, nothing on stdout, no tag written', async () => {
      const repo = { registry: registry.host, repository: 'acme/refused' };
      const build = await pushIndex(client, repo, { tag: 'sha-4f1c2d3', seed: 'refused' });
      await pushLegacySignatures(client, repo, build.digest, [await trust.sigstore.signLegacy(build.digest, { identity: IDENTITY, issuer: ISSUER })]);
      const result = await run(
        [
          'promote',
          '--image', `${registry.host}/acme/refused`,
          '--source', 'sha-4f1c2d3',
          '--targets', 'prod',
          '--certificate-identity', 'https://github.com/evil/app/.github/workflows/release.yml@refs/tags/1.4.0',
          '--certificate-oidc-issuer', ISSUER,
          '--trusted-root', trust.trustedRoot,
        ],
        { GITHUB_SHA: sha },
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/tagwright promote: failed: .+/);
      expect(Object.keys(await tagsOf(client, repo))).toEqual(['sha-4f1c2d3']);
    });

    it('promotes a {sha} stamp without --sha and without any CI context: the commit is the image\'s revision label', async () => {
      const repo = { registry: registry.host, repository: 'acme/no-ci' };
      await pushIndex(client, repo, { tag: 'staging', seed: 'no-ci', labels: { 'org.opencontainers.image.revision': sha } });
      const result = await run(['promote', '--image', `${registry.host}/acme/no-ci`, '--source', 'staging', '--targets', 'prod-{date}-{sha}']);
      expect(result.code, result.stderr).toBe(0);
      expect((JSON.parse(result.stdout) as { tags: string }).tags).toMatch(/:prod-\d{8}-4f1c2d3$/);
      expect(result.stderr).toContain("from the source image's `org.opencontainers.image.revision`");
    });
  });

  describe('when it runs in GitLab CI against a registry with a password (htpasswd)', () => {
    let registry: RunningRegistry;
    let client: RegistryClient;
    let gitlab: Record<string, string>;

    beforeAll(async () => {
      registry = await startRegistry({ auth: 'htpasswd' });
      client = clientFor(registry);
      gitlab = {
        GITLAB_CI: 'true',
        CI: 'true',
        CI_COMMIT_SHA: sha,
        CI_COMMIT_REF_NAME: 'v1.5.0',
        CI_COMMIT_TAG: 'v1.5.0',
        CI_PIPELINE_SOURCE: 'push',
        CI_PIPELINE_ID: '4242',
        CI_PIPELINE_IID: '17',
        CI_JOB_ID: '99',
        CI_PROJECT_PATH: 'acme/app',
        CI_REGISTRY: registry.host,
        CI_REGISTRY_IMAGE: `${registry.host}/acme/app`,
        CI_REGISTRY_USER: registry.credentials!.username,
        CI_REGISTRY_PASSWORD: registry.credentials!.password,
      };
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it('takes the ref, the commit and the registry login from the CI variables, and prints no credential', async () => {
      const repo = { registry: registry.host, repository: 'acme/app' };
      const build = await pushIndex(client, repo, { tag: 'sha-4f1c2d3', seed: 'gitlab-build' });

      const computed = await run(['compute-tags', '--images', gitlab.CI_REGISTRY_IMAGE!, '--tag-prefix', 'v'], gitlab);
      expect(computed.code, computed.stderr).toBe(0);
      const tags = JSON.parse(computed.stdout) as Record<string, string>;
      expect(tags['tag-names']!.split('\n')).toEqual(['v1.5.0', 'v1.5', 'v1', 'latest', 'sha-4f1c2d3']);

      const promoted = await run(['promote', '--image', gitlab.CI_REGISTRY_IMAGE!, '--source', build.digest, '--targets', tags['tag-names']!], gitlab);
      expect(promoted.code, promoted.stderr).toBe(0);
      expect(JSON.parse(promoted.stdout).digest).toBe(build.digest);
      const after = await tagsOf(client, repo);
      for (const tag of ['v1.5.0', 'v1.5', 'v1', 'latest']) expect(after[tag]).toBe(build.digest);

      const cleaned = await run(['cleanup', '--image', gitlab.CI_REGISTRY_IMAGE!, '--keep-n', 'sha-*=1', '--dry-run'], gitlab);
      expect(cleaned.code, cleaned.stderr).toBe(0);
      expect(JSON.parse(JSON.parse(cleaned.stdout).kept as string)).toEqual(expect.arrayContaining([expect.objectContaining({ tag: 'latest' })]));

      const password = registry.credentials!.password;
      for (const result of [computed, promoted, cleaned]) {
        expect(result.stdout + result.stderr).not.toContain(password);
        expect(result.stdout + result.stderr).not.toContain(Buffer.from(`${registry.credentials!.username}:${password}`).toString('base64'));
      }
    });

    it('rolls prod back to an earlier promotion and writes the audit tag', async () => {
      const repo = { registry: registry.host, repository: 'acme/rollback' };
      const image = `${registry.host}/acme/rollback`;
      const old = await pushIndex(client, repo, { tag: 'prod-20261101-aaaaaaa', seed: 'old-prod' });
      const current = await pushIndex(client, repo, { tag: 'prod-20261120-bbbbbbb', seed: 'new-prod' });
      const manifest = await client.getManifest({ ...repo, digest: current.digest });
      await client.putManifest(repo, 'prod', { bytes: manifest.bytes, mediaType: manifest.mediaType });

      const result = await run(['rollback', '--image', image], gitlab);
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout) as Record<string, string>;
      expect(out).toMatchObject({ 'from-digest': current.digest, 'to-digest': old.digest, 'to-tag': 'prod-20261101-aaaaaaa' });
      expect(out['audit-tag']).toMatch(/^prod-rollback-\d{8}-\d{6}-from-bbbbbbb$/);
      const tags = await tagsOf(client, repo);
      expect(tags.prod).toBe(old.digest);
      expect(tags[out['audit-tag']!]).toBe(current.digest);
      expect(result.stdout + result.stderr).not.toContain(registry.credentials!.password);
    });

    it('without the registry login, the registry refuses and the job fails with exit 1', async () => {
      const { CI_REGISTRY_PASSWORD: _, ...withoutPassword } = gitlab;
      const result = await run(['compute-tags', '--images', gitlab.CI_REGISTRY_IMAGE!], withoutPassword);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/401|unauthori[sz]ed|denied/i);
    });

    it('maps a merge request pipeline to the pull request tags: pr-<iid> and sha-<7 hex> only', async () => {
      const { CI_COMMIT_TAG: _, ...branch } = gitlab;
      const result = await run(['compute-tags', '--images', gitlab.CI_REGISTRY_IMAGE!, '--branch-tags', 'main=staging'], {
        ...branch,
        CI_COMMIT_REF_NAME: 'main',
        CI_PIPELINE_SOURCE: 'merge_request_event',
        CI_MERGE_REQUEST_IID: '7',
      });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)['tag-names'].split('\n')).toEqual(['pr-7', 'sha-4f1c2d3']);
    });

    it('maps a branch pipeline to refs/heads/<branch>, and --ref and --sha override the CI variables', async () => {
      const { CI_COMMIT_TAG: _, ...branch } = gitlab;
      const onMain = await run(['compute-tags', '--images', gitlab.CI_REGISTRY_IMAGE!, '--branch-tags', 'main=staging', '--registry-aware', 'false'], {
        ...branch,
        CI_COMMIT_BRANCH: 'main',
      });
      expect(onMain.code, onMain.stderr).toBe(0);
      expect(JSON.parse(onMain.stdout)['tag-names'].split('\n')).toEqual(['staging', 'sha-4f1c2d3']);
      const overridden = await run(
        ['compute-tags', '--images', gitlab.CI_REGISTRY_IMAGE!, '--registry-aware', 'false', '--ref', 'refs/heads/feature/x', '--sha', 'a'.repeat(40)],
        { ...branch, CI_COMMIT_BRANCH: 'main' },
      );
      expect(overridden.code, overridden.stderr).toBe(0);
      expect(JSON.parse(overridden.stdout)['tag-names'].split('\n')).toEqual(['feature-x', 'sha-aaaaaaa']);
    });
  });

  describe('--help of each subcommand', () => {
    it.each(ACTIONS)('%s lists every input of its action.yml as a flag, with its description and default', async (action) => {
      const yml = parse(readFileSync(path.join(root, 'packages', `action-${action}`, 'action.yml'), 'utf8')) as {
        inputs: Record<string, { description: string; default?: string; required?: boolean }>;
        outputs: Record<string, { description: string }>;
      };
      const help = await run([action, '--help'], { CI_REGISTRY_PASSWORD: 'not-to-be-shown-4711', GITHUB_SHA: 'c'.repeat(40) });
      expect(help.code).toBe(0);
      const text = collapse(help.stdout);
      for (const [name, spec] of Object.entries(yml.inputs)) {
        expect(text).toContain(`--${name} `);
        expect(text).toContain(collapse(spec.description));
        const literal = spec.default && !String(spec.default).includes('${{') ? String(spec.default) : undefined;
        if (literal) expect(text).toContain(`${collapse(spec.description)} ${spec.required ? '(required) ' : ''}(default: ${literal})`);
      }
      for (const [name, spec] of Object.entries(yml.outputs)) expect(text).toContain(`${name} ${collapse(spec.description)}`);
      expect(text).toContain('Exit codes: 0');
      expect(help.stdout).not.toContain('not-to-be-shown-4711');
      expect(help.stdout).not.toContain('c'.repeat(40));
    });
  });

  describe('when the command line is wrong', () => {
    it('an unknown flag exits 2 naming it, and never echoes its value', async () => {
      const result = await run(['promote', '--image', 'x/y', '--source', '1', '--targets', 'a', '--passwrd=s3cret-value']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("unknown option '--passwrd=…'");
      expect(result.stderr).not.toContain('s3cret-value');
      expect(result.stdout).toBe('');
    });

    it('a missing required flag exits 2 with its description', async () => {
      const result = await run(['promote', '--image', 'x/y', '--source', '1.4.0']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('tagwright promote: missing required flag --targets (Target tags');
    });

    it('no ref in the flags or the CI context exits 2 naming the variables read', async () => {
      const result = await run(['compute-tags', '--images', '127.0.0.1:1/acme/app']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--ref is not given and the CI context has none (the CI ref: GITHUB_REF;');
    });

    it('an unknown subcommand exits 2', async () => {
      const result = await run(['promot']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("unknown command 'promot'");
    });
  });

  describe('when installed from its npm package', () => {
    it('runs from the packed tarball alone (no node_modules, no workspace): the bundles and action.yml files are inside', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'tw-cli-pack-'));
      const sh = (file: string, args: string[], cwd: string) =>
        new Promise<string>((resolve, reject) => execFile(file, args, { cwd }, (error, out) => (error ? reject(error) : resolve(out))));
      await sh('pnpm', ['pack', '--pack-destination', dir], path.join(root, 'packages', 'cli'));
      const tarball = (await sh('ls', [dir], dir)).trim().split('\n').find((file) => file.endsWith('.tgz'))!;
      await sh('tar', ['xzf', tarball], dir);
      const files = (await sh('tar', ['tzf', tarball], dir)).split('\n');
      for (const action of ACTIONS) {
        expect(files).toContain(`package/dist/actions/${action}/action.yml`);
        expect(files).toContain(`package/dist/actions/${action}/dist/index.mjs`);
      }
      expect(files.filter((file) => file.includes('node_modules') || file.includes('metafile'))).toEqual([]);
      const result = await new Promise<CliRun>((resolve) =>
        execFile(
          process.execPath,
          [path.join(dir, 'package', 'dist', 'cli.mjs'), 'compute-tags', '--images', '127.0.0.1:1/acme/app', '--registry-aware', 'false'],
          { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: home, GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_SHA: sha } },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
        ),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)['tag-names']).toBe('1.2.3\n1.2\n1\nlatest\nsha-4f1c2d3');
      await rm(dir, { recursive: true, force: true });
    });
  });

  describe('classify-ref', () => {
    it('classifies a ref of a local clone (the classify-ref command line as a subcommand)', async () => {
      const repoDir = await mkdtemp(path.join(tmpdir(), 'tw-cli-git-'));
      const git = (...args: string[]) =>
        new Promise<string>((resolve, reject) =>
          execFile('git', ['-C', repoDir, ...args], { env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }, (error, out) =>
            error ? reject(error) : resolve(out.trim()),
          ),
        );
      await git('init', '-q', '-b', 'main');
      await git('commit', '-q', '--allow-empty', '-m', 'one');
      await git('tag', 'v1.2.3');
      const commit = await git('rev-parse', 'HEAD');
      const result = await run(['classify-ref', '--ref', 'v1.2.3', '--path', '.'], { GITHUB_WORKSPACE: repoDir });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ kind: 'tag', commit, ref: 'refs/tags/v1.2.3' });
      await rm(repoDir, { recursive: true, force: true });
    });
  });
});
