/**
 * The main job of tagwright, end to end, against a real local registry (CNCF distribution):
 *
 * 1. start a registry on 127.0.0.1;
 * 2. seed older releases as real multi-arch OCI indexes: 1.2.0, 1.3.0 and 2.0.0 (higher), with the
 *    floating tags they earned;
 * 3. push the build of the release as `sha-<7 hex>` (a two-platform index), signed keyless by the
 *    release workflow (a local Sigstore test instance stands in for Fulcio and Rekor);
 * 4. run the compute-tags action (its action.yml, the built bundle) for `refs/tags/1.4.0`;
 * 5. run the promote action from the build to the computed tags, then, from a later deploy run on
 *    main, from `1.4.0` to `prod` and a `prod-{date}-{sha}` stamp, verifying the signature's identity
 *    and issuer before the first write; `{sha}` is the commit the image was built from (its
 *    `org.opencontainers.image.revision` label), not the deploy run's commit;
 * 6. print every tag with its digest;
 * 7. a release set: three images on a staging line, one lacking the newest build; promote `staging.*`
 *    (base 1.5.0) with `images` so all three move to the build they all hold; then stop the registry.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistryClient } from '@tagwright/core';
import { createSigstoreMockWithTrustedRoot, pushIndex, pushLegacySignatures, runActionYml, startRegistry } from '@tagwright/testkit';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sha = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
/** The commit a later deploy workflow runs on (main moved on after the release). */
const deploySha = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';

function step(title: string): void {
  console.log(`\n== ${title}`);
}

async function main(): Promise<void> {
  step('start a CNCF distribution registry on 127.0.0.1');
  const registry = await startRegistry();
  const disposers: Array<() => Promise<void>> = [];
  try {
    console.log(`registry ${registry.url}`);
    const client = createRegistryClient();
    const repo = { registry: registry.host, repository: 'acme/app' };
    const image = `${registry.host}/acme/app`;

    step('seed earlier releases (multi-arch OCI indexes)');
    const history: Array<[string, string[]]> = [
      ['1.2.0', ['1.2.0', '1.2']],
      ['1.3.0', ['1.3.0', '1.3', '1']],
      ['2.0.0', ['2.0.0', '2.0', '2', 'latest']],
    ];
    for (const [version, tags] of history) {
      const seeded = await pushIndex(client, repo, { tag: tags[0]!, seed: `release-${version}` });
      for (const tag of tags.slice(1)) {
        const manifest = await client.getManifest({ ...repo, tag: tags[0]! });
        await client.putManifest(repo, tag, { bytes: manifest.bytes, mediaType: manifest.mediaType });
      }
      console.log(`${version.padEnd(6)} ${seeded.digest}  tags: ${tags.join(', ')}`);
    }

    step('push the build of the release');
    const buildTag = `sha-${sha.slice(0, 7)}`;
    // Labelled as docker/metadata-action labels a build: the commit it was built from.
    const build = await pushIndex(client, repo, { tag: buildTag, seed: 'build-1.4.0', labels: { 'org.opencontainers.image.revision': sha } });
    console.log(`${buildTag} ${build.digest}  platforms: ${(build.platforms ?? []).join(', ')}; org.opencontainers.image.revision ${sha.slice(0, 7)}`);
    const { sigstore, trustedRoot, dispose } = await createSigstoreMockWithTrustedRoot();
    disposers.push(dispose);
    const identity = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/1.4.0';
    const issuer = 'https://token.actions.githubusercontent.com';
    await pushLegacySignatures(client, repo, build.digest, [await sigstore.signLegacy(build.digest, { identity, issuer })]);
    console.log(`signed by ${identity} (cosign signature tag sha256-${build.digest.slice(7, 19)}….sig)`);

    step('compute-tags for refs/tags/1.4.0 (registry-aware)');
    const computed = await runActionYml(path.join(root, 'compute-tags'), {
      inputs: { images: image },
      github: { ref: 'refs/tags/1.4.0', sha },
    });
    if (computed.exitCode !== 0) throw new Error(`compute-tags failed:\n${computed.stdout}${computed.stderr}`);
    const json = JSON.parse(computed.outputs.json ?? '{}') as {
      images: Array<{ decisions: Array<{ tag: string; given: boolean; reason: string }> }>;
    };
    for (const decision of json.images[0]?.decisions ?? []) {
      console.log(`${decision.given ? 'give ' : 'skip '} ${decision.tag.padEnd(12)} ${decision.reason}`);
    }
    const versionTags = (computed.outputs['tag-names'] ?? '').split('\n').filter((tag: string) => tag !== buildTag && tag !== '');

    step(`promote ${buildTag} -> ${versionTags.join(', ')}`);
    const release = await runActionYml(path.join(root, 'promote'), {
      inputs: { image, source: buildTag, targets: versionTags.join('\n') },
      github: { ref: 'refs/tags/1.4.0', sha },
    });
    if (release.exitCode !== 0) throw new Error(`promote failed:\n${release.stdout}${release.stderr}`);
    console.log(`digest ${release.outputs.digest}, previous ${release.outputs.previous}, ${release.outputs.requests} requests`);

    step(`promote 1.4.0 -> prod, prod-{date}-{sha} from a deploy run on main at ${deploySha.slice(0, 7)} (signature verified first)`);
    const prod = await runActionYml(path.join(root, 'promote'), {
      inputs: {
        image,
        source: computed.outputs.version ?? '1.4.0',
        targets: 'prod\nprod-{date}-{sha}',
        'certificate-identity': identity,
        'certificate-oidc-issuer': issuer,
        'trusted-root': trustedRoot,
      },
      github: { ref: 'refs/heads/main', sha: deploySha },
    });
    if (prod.exitCode !== 0) throw new Error(`promote failed:\n${prod.stdout}${prod.stderr}`);
    const verified = JSON.parse(prod.outputs.verified ?? 'null') as { signatures?: Array<{ signerIdentity?: string; format: string }> } | null;
    for (const signature of verified?.signatures ?? []) console.log(`verified ${signature.format} signature of ${signature.signerIdentity}`);
    console.log(`digest ${prod.outputs.digest}, ${prod.outputs.requests} requests; tags ${(prod.outputs.tags ?? '').split('\n').map((ref) => ref.split(':').pop()).join(', ')}`);
    const commitLine = prod.summary.split('\n').find((line) => line.includes('org.opencontainers.image.revision'));
    if (commitLine) console.log(commitLine.replace(/\*\*|`/g, ''));

    step(`tags in ${image}`);
    const tags = (await client.listTags(repo)).filter((tag) => !tag.endsWith('.sig')).sort();
    const width = Math.max(...tags.map((tag) => tag.length));
    console.log(`${'TAG'.padEnd(width)}  DIGEST`);
    for (const tag of tags) {
      const descriptor = await client.resolveDigest({ ...repo, tag });
      const mark = descriptor.digest === build.digest ? '  <- 1.4.0 build' : '';
      console.log(`${tag.padEnd(width)}  ${descriptor.digest}${mark}`);
    }

    step('release set: three images, one lacking the newest staging build');
    const names = ['api', 'web', 'web-sidecar'];
    for (const [index, name] of names.entries()) {
      const setRepo = { registry: registry.host, repository: `acme/${name}` };
      await pushIndex(client, setRepo, { tag: '1.5.0-staging.1', seed: `set-${name}-1` });
      if (index !== 2) await pushIndex(client, setRepo, { tag: '1.5.0-staging.2', seed: `set-${name}-2` });
      console.log(`acme/${name}: ${index !== 2 ? '1.5.0-staging.1, 1.5.0-staging.2' : '1.5.0-staging.1'}`);
    }
    const set = await runActionYml(path.join(root, 'promote'), {
      inputs: { images: names.map((name) => `${registry.host}/acme/${name}`).join('\n'), source: 'staging.*', 'source-base': '1.5.0', targets: '1.5.0\nlatest' },
      github: { ref: 'refs/heads/main', sha },
    });
    if (set.exitCode !== 0) throw new Error(`promote (release set) failed:\n${set.stdout}${set.stderr}`);
    console.log(`common pick ${set.outputs['source-tag']}; digests ${set.outputs.digests}`);
  } finally {
    step('stop the registry');
    await registry.stop();
    for (const dispose of disposers) await dispose();
    console.log('stopped');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
