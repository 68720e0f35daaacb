/**
 * The Forgejo release flow of tagwright, end to end, as a Forgejo runner runs it:
 *
 * 1. start the Forgejo API double (validated against Forgejo's swagger.v1.json from ../shared; the
 *    demo says SKIPPED without it) and a Forgejo-style registry (token realm `/v2/token`);
 * 2. a real git repository in a temp dir: commits, tag `v0.1.0` pushed (mirrored into the double);
 * 3. the build: image `build-<sha>` signed with a cosign key and no transparency-log entry
 *    (`--tlog-upload=false`), SLSA provenance in cosign's legacy `.att` layout;
 * 4. compute-tags (`tag-prefix: v`) and promote (`release: published`, `release-notes: commits`, `key`,
 *    `insecure-ignore-tlog: true`, `provenance-builder-id`) through their action.yml files, with the
 *    environment a Forgejo runner sets (`GITHUB_SERVER_URL`, `GITHUB_API_URL=<server>/api/v1`, no run
 *    attempt, no step summary: the summary goes to the log);
 * 5. the same for `v0.2.0-rc.1` (a pre-release: no `latest`);
 * 6. print the tags with their digests and the Forgejo releases, and stop everything.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const builder = 'https://code.example/acme/app/.forgejo/workflows/release.yml@refs/heads/main';

function step(title: string): void {
  console.log(`\n== ${title}`);
}

async function main(): Promise<void> {
  if (!hasForgejoApiDescription()) {
    console.log(`SKIPPED: ${FORGEJO_API_DESCRIPTION_MISSING}`);
    return;
  }
  step('start the Forgejo API double and a Forgejo-style registry on 127.0.0.1');
  const [forgejo, registry, sigstore] = await Promise.all([
    startForgejoApi({ owner: 'acme', repo: 'app', token: 'forgejo_demo_token' }),
    startForgejoStyleRegistry({ owner: 'acme' }),
    createSigstoreMock(),
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-forgejo-demo-'));
  const gitEnv = gitTestEnv();
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8' }).trim();
  try {
    console.log(`forgejo  ${forgejo.serverUrl} (API ${forgejo.apiUrl})`);
    console.log(`registry ${registry.url} (token realm /v2/token)`);
    const client = clientFor(registry);
    const repo = { registry: registry.host, repository: 'acme/app' };
    const image = `${registry.host}/acme/app`;
    const key = sigstore.generateKey();
    git('init', '-q', '-b', 'main');
    git('config', 'commit.gpgsign', 'false');
    git('config', 'tag.gpgsign', 'false');
    const commit = (message: string): string => {
      writeFileSync(path.join(dir, 'file.txt'), `${message}\n`);
      git('add', '-A');
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    };

    const release = async (tag: string, messages: string[]): Promise<void> => {
      step(`commit ${messages.length} change(s), push tag ${tag}`);
      let sha = '';
      for (const message of messages) {
        sha = commit(message);
        console.log(`${sha.slice(0, 7)} ${message}`);
      }
      git('tag', '-a', tag, '-m', `release ${tag}`);
      const commits = (await commitRange(createGitRunner({ env: gitEnv }), dir, undefined, 'HEAD')).reverse();
      forgejo.state.addCommits(commits.map((c) => ({ sha: c.sha, parents: c.parents ?? [], subject: c.subject, body: c.body, author: { name: c.author.name, email: c.author.email } })));
      forgejo.state.setBranch('main', sha);
      forgejo.state.addTag(tag, sha, `release ${tag}`);

      step(`build: push ${image}:build-${sha.slice(0, 7)}, cosign sign --key --tlog-upload=false, cosign attest --type slsaprovenance1`);
      const built = await pushImage(client, repo, { tag: `build-${sha.slice(0, 7)}`, seed: sha });
      await pushLegacySignatures(client, repo, built.digest, [await sigstore.signLegacy(built.digest, { key, tlog: false, tsa: false })]);
      await pushLegacyAttestations(client, repo, built.digest, [signLegacyAttestation(built.digest, key.privateKey, { predicate: { runDetails: { builder: { id: builder } } } })]);
      console.log(`digest ${built.digest}`);

      const github = { ref: `refs/tags/${tag}`, sha, repository: 'acme/app', server_url: forgejo.serverUrl, api_url: forgejo.apiUrl, workspace: dir, event_name: 'push' };
      const credentials = { username: registry.credentials!.username, password: registry.credentials!.password };
      step(`compute-tags for refs/tags/${tag} (tag-prefix: v)`);
      const computed = await runActionYml(path.join(root, 'compute-tags'), { inputs: { images: image, 'tag-prefix': 'v', ...credentials }, github, stepSummary: false });
      if (computed.exitCode !== 0) throw new Error(`compute-tags failed:\n${computed.stdout}${computed.stderr}`);
      const targets = (computed.outputs['tag-names'] ?? '').split('\n').filter(Boolean);
      console.log(`tags: ${targets.join(', ')} (pre-release: ${computed.outputs['is-prerelease']})`);

      step(`promote build-${sha.slice(0, 7)} -> ${targets.join(', ')} with a Forgejo release (forge: auto)`);
      const promoted = await runActionYml(path.join(root, 'promote'), {
        inputs: {
          image,
          source: `build-${sha.slice(0, 7)}`,
          targets: targets.join('\n'),
          version: tag,
          release: 'published',
          'release-notes': 'commits',
          'github-token': forgejo.token,
          key: key.publicKeyPem,
          'insecure-ignore-tlog': 'true',
          'provenance-builder-id': builder,
          ...credentials,
        },
        github,
        stepSummary: false,
      });
      if (promoted.exitCode !== 0) throw new Error(`promote failed:\n${promoted.stdout}${promoted.stderr}`);
      for (const line of promoted.stdout.split('\n')) {
        if (/forge forgejo|\*\*Release|by date|verified|Signed by/i.test(line)) console.log(line.replace(/^::[a-z]+::/, ''));
      }
    };

    await release('v0.1.0', ['feat: first feature (#1)', 'fix: a fix (#2)']);
    await release('v0.2.0-rc.1', ['feat: second feature (#3)']);

    step(`tags in ${image}`);
    const tags = (await client.listTags(repo)).filter((tag) => !/\.(sig|att)$/.test(tag)).sort();
    const width = Math.max(...tags.map((tag) => tag.length));
    for (const tag of tags) console.log(`${tag.padEnd(width)}  ${(await client.resolveDigest({ ...repo, tag })).digest}`);

    step('releases on Forgejo');
    for (const r of forgejo.state.releases) {
      console.log(`${r.tagName}${r.prerelease ? ' (pre-release)' : ''}${r.draft ? ' (draft)' : ''}`);
      console.log(r.body.split('\n').map((line) => `  | ${line}`).join('\n'));
    }
    forgejo.assertNoViolations();
    console.log('\nno request or response broke Forgejo\'s API description');
  } finally {
    step('stop the Forgejo double and the registry');
    await forgejo.stop();
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
    console.log('stopped');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
