import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient, RepositoryReference } from '@tagwright/core';
import { commitRange, createGitRunner } from '@tagwright/core/git';
import {
  FORGEJO_API_DESCRIPTION_MISSING,
  clientFor,
  createSigstoreMock,
  gitTestEnv,
  hasForgejoApiDescription,
  pushImage,
  pushLegacyAttestations,
  pushLegacySignatures,
  runActionYml,
  signLegacyAttestation,
  startForgejoApi,
  startForgejoStyleRegistry,
} from '@tagwright/testkit';
import type { ForgejoApi, RunningRegistry, SigstoreMock } from '@tagwright/testkit';

const root = path.resolve(import.meta.dirname, '../../..');
const gitEnv = gitTestEnv();
const present = hasForgejoApiDescription();
if (!present) console.warn(FORGEJO_API_DESCRIPTION_MISSING);
const BUILDER = 'https://code.example/acme/app/.forgejo/workflows/release.yml@refs/heads/main';

/**
 * The Forgejo release flow end to end, through the action.yml files as a Forgejo runner runs them:
 * `GITHUB_SERVER_URL`/`GITHUB_API_URL` point at the Forgejo API double (API under `/api/v1`), no
 * `github.run_attempt`, no `GITHUB_STEP_SUMMARY`; images on a Forgejo-style registry, key-signed
 * without a transparency-log entry, SLSA provenance in cosign's legacy `.att` layout.
 */
describe.skipIf(!present)('Forgejo release flow (compute-tags → promote)', () => {
  let forgejo: ForgejoApi;
  let registry: RunningRegistry;
  let client: RegistryClient;
  let sigstore: SigstoreMock;
  let key: ReturnType<SigstoreMock['generateKey']>;
  let dir: string;
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8' }).trim();
  const commit = (message: string): string => {
    writeFileSync(path.join(dir, 'file.txt'), `${message}\n`);
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  const image: RepositoryReference = { registry: '', repository: 'acme/app' };

  beforeAll(async () => {
    [forgejo, registry, sigstore] = await Promise.all([
      startForgejoApi({ owner: 'acme', repo: 'app', token: 'forgejo_runner_token_1' }),
      startForgejoStyleRegistry({ owner: 'acme' }),
      createSigstoreMock(),
    ]);
    client = clientFor(registry);
    image.registry = registry.host;
    key = sigstore.generateKey();
    dir = mkdtempSync(path.join(tmpdir(), 'tw-forgejo-flow-'));
    git('init', '-q', '-b', 'main');
    git('config', 'commit.gpgsign', 'false');
    git('config', 'tag.gpgsign', 'false');
  });

  afterAll(async () => {
    await forgejo?.stop();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    forgejo?.assertNoViolations();
  });

  /** Pushes the tag in the local clone and mirrors commits and tags into the Forgejo double (a `git push --tags`). */
  async function pushTag(tag: string): Promise<void> {
    git('tag', '-a', tag, '-m', `release ${tag}`);
    const runner = createGitRunner({ env: gitEnv });
    const commits = await commitRange(runner, dir, undefined, 'HEAD');
    forgejo.state.addCommits(commits.reverse().map((c) => ({ sha: c.sha, parents: c.parents ?? [], subject: c.subject, body: c.body, author: { name: c.author.name, email: c.author.email } })));
    forgejo.state.setBranch('main', git('rev-parse', 'HEAD'));
    forgejo.state.addTag(tag, git('rev-parse', `${tag}^{commit}`), `release ${tag}`);
  }

  /** What a Forgejo runner sets: the server and its `/api/v1`, no run attempt, no step summary. */
  const runner = (action: string, tag: string, sha: string, inputs: Record<string, string>) =>
    runActionYml(path.join(root, action), {
      inputs: { username: registry.credentials!.username, password: registry.credentials!.password, ...inputs },
      github: { ref: `refs/tags/${tag}`, sha, repository: 'acme/app', server_url: forgejo.serverUrl, api_url: forgejo.apiUrl, workspace: dir, event_name: 'push' },
      stepSummary: false,
    });

  /** The build job: an image pushed as `build-<sha>`, signed with the key without a log entry, provenance in `.att`. */
  async function build(sha: string): Promise<string> {
    const pushed = await pushImage(client, image, { tag: `build-${sha.slice(0, 7)}`, seed: sha });
    await pushLegacySignatures(client, image, pushed.digest, [await sigstore.signLegacy(pushed.digest, { key, tlog: false, tsa: false })]);
    await pushLegacyAttestations(client, image, pushed.digest, [signLegacyAttestation(pushed.digest, key.privateKey, { predicate: { runDetails: { builder: { id: BUILDER } } } })]);
    return pushed.digest;
  }

  async function release(tag: string, sha: string, extra: Record<string, string> = {}) {
    const computed = await runner('compute-tags', tag, sha, { images: `${registry.host}/acme/app`, 'tag-prefix': 'v' });
    expect(computed.exitCode, computed.stdout + computed.stderr).toBe(0);
    const targets = computed.outputs['tag-names']!;
    const promoted = await runner('promote', tag, sha, {
      image: `${registry.host}/acme/app`,
      source: `build-${sha.slice(0, 7)}`,
      targets: targets.split('\n').join(','),
      release: 'published',
      version: tag,
      'release-notes': 'commits',
      'github-token': forgejo.token,
      key: key.publicKeyPem,
      'provenance-builder-id': BUILDER,
      'insecure-ignore-tlog': 'true',
      ...extra,
    });
    return { computed, promoted, targets: targets.split('\n') };
  }

  const digestOf = async (tag: string): Promise<string | undefined> =>
    (await client.listTags(image)).includes(tag) ? (await client.resolveDigest({ ...image, tag })).digest : undefined;

  it('v0.1.0: image v0.1.0 + latest, a published Forgejo release with notes from the commits', async () => {
    commit('feat: first feature (#1)');
    const sha = commit('fix: a fix (#2)');
    await pushTag('v0.1.0');
    const digest = await build(sha);

    const { computed, promoted, targets } = await release('v0.1.0', sha);
    expect(targets).toEqual(expect.arrayContaining(['v0.1.0', 'latest']));
    expect(computed.outputs['is-prerelease']).toBe('false');
    expect(promoted.exitCode, promoted.stdout + promoted.stderr).toBe(0);
    expect(await digestOf('v0.1.0')).toBe(digest);
    expect(await digestOf('latest')).toBe(digest);

    const stored = forgejo.state.releaseByTag('v0.1.0');
    expect(stored).toMatchObject({ draft: false, prerelease: false });
    expect(stored!.body).toContain('first feature');
    expect(stored!.body).toContain('a fix');
    expect(stored!.body).toContain(`\`${digest}\``);
    // The exact commands that repeat the verification: the key (given as PEM, so published as cosign.pub),
    // no log entry, and the required SLSA provenance.
    const signer = ['  --key cosign.pub \\', '  --insecure-ignore-tlog=true \\', `  ${registry.host}/acme/app@${digest}`];
    expect(stored!.body).toContain(['cosign verify \\', ...signer].join('\n'));
    expect(stored!.body).toContain(['cosign verify-attestation --type slsaprovenance1 \\', ...signer].join('\n'));
    // The summary goes to the log, and says what "latest" means on Forgejo.
    expect(promoted.summary).toBe('');
    expect(promoted.stdout).toContain('neither a draft nor a pre-release, by date');
    expect(promoted.stdout).not.toContain('make_latest');
    // Forge detected from the context, without the token: the version probe carried no credential.
    const probe = forgejo.requests.find((r) => r.path.endsWith('/version'));
    expect(probe).toBeDefined();
    expect(promoted.stdout).toMatch(/forge forgejo at http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
  });

  it('v0.2.0-rc.1: a prerelease without latest, notes only from the commits since v0.1.0', async () => {
    const latestBefore = await digestOf('latest');
    const sha = commit('feat: second feature (#3)');
    await pushTag('v0.2.0-rc.1');
    const digest = await build(sha);

    const { computed, promoted, targets } = await release('v0.2.0-rc.1', sha);
    expect(computed.outputs['is-prerelease']).toBe('true');
    expect(targets).not.toContain('latest');
    expect(promoted.exitCode, promoted.stdout + promoted.stderr).toBe(0);
    expect(await digestOf('v0.2.0-rc.1')).toBe(digest);
    expect(await digestOf('latest')).toBe(latestBefore);

    const stored = forgejo.state.releaseByTag('v0.2.0-rc.1');
    expect(stored).toMatchObject({ draft: false, prerelease: true });
    expect(stored!.body).toContain('second feature');
    expect(stored!.body).not.toContain('first feature');
  });

  it('refuses the key signature without a log entry unless insecure-ignore-tlog is true, before any tag or release', async () => {
    const sha = commit('feat: third feature (#4)');
    await pushTag('v0.3.0');
    await build(sha);
    const { promoted } = await release('v0.3.0', sha, { 'insecure-ignore-tlog': 'false' });
    expect(promoted.exitCode).not.toBe(0);
    expect(promoted.stdout).toMatch(/::error::.*no transparency-log entry.*insecure-ignore-tlog/);
    expect(await client.listTags(image)).not.toContain('v0.3.0');
    expect(forgejo.state.releaseByTag('v0.3.0')).toBeUndefined();
  });

  it('refuses an image whose provenance is missing from .att', async () => {
    const sha = commit('feat: fourth feature (#5)');
    await pushTag('v0.4.0');
    const pushed = await pushImage(client, image, { tag: `build-${sha.slice(0, 7)}`, seed: sha });
    await pushLegacySignatures(client, image, pushed.digest, [await sigstore.signLegacy(pushed.digest, { key, tlog: false, tsa: false })]);
    const { promoted } = await release('v0.4.0', sha);
    expect(promoted.exitCode).not.toBe(0);
    expect(promoted.stdout).toMatch(/::error::.*provenance/i);
    expect(forgejo.state.releaseByTag('v0.4.0')).toBeUndefined();
  });

  it('a service without versions: release-tag prod-{date}-{sha} makes a Forgejo release named by the stamp, at the commit the image was built from', async () => {
    const built = commit('fix: orders service fix (#6)');
    const workflow = commit('ci: a later commit (#7)');
    const commits = await commitRange(createGitRunner({ env: gitEnv }), dir, undefined, 'HEAD');
    forgejo.state.addCommits(commits.reverse().map((c) => ({ sha: c.sha, parents: c.parents ?? [], subject: c.subject, body: c.body, author: { name: c.author.name, email: c.author.email } })));
    forgejo.state.setBranch('main', workflow);
    const service: RepositoryReference = { registry: registry.host, repository: 'acme/orders' };
    const pushed = await pushImage(client, service, { tag: 'staging', seed: built, labels: { 'org.opencontainers.image.revision': built } });

    const promoted = await runActionYml(path.join(root, 'promote'), {
      inputs: {
        username: registry.credentials!.username,
        password: registry.credentials!.password,
        image: `${registry.host}/acme/orders`,
        source: 'staging',
        targets: 'prod, prod-{date}-{sha}',
        release: 'published',
        'release-tag': 'prod-{date}-{sha}',
        'github-token': forgejo.token,
      },
      github: { ref: 'refs/heads/main', sha: workflow, repository: 'acme/app', server_url: forgejo.serverUrl, api_url: forgejo.apiUrl, workspace: dir, event_name: 'workflow_dispatch' },
      stepSummary: false,
    });

    expect(promoted.exitCode, promoted.stdout + promoted.stderr).toBe(0);
    const stamp = (promoted.outputs.tags ?? '').split('\n').map((ref) => ref.split(':').pop() ?? '').find((tag) => tag.startsWith('prod-')) ?? '';
    expect(stamp).toMatch(new RegExp(`^prod-\\d{8}-${built.slice(0, 7)}$`));
    expect((await client.resolveDigest({ ...service, tag: stamp })).digest).toBe(pushed.digest);
    const stored = forgejo.state.releaseByTag(stamp);
    expect(stored).toMatchObject({ draft: false, prerelease: false, name: stamp });
    expect(forgejo.state.tags.get(stamp)?.commitSha).toBe(built);
    expect(stored!.body).toContain('orders service fix');
    expect(stored!.body).not.toContain('a later commit');
    expect(stored!.body).toContain(`\`${pushed.digest}\``);
  });
});
