/**
 * A repository the way CI fills one: 40 `sha-*` builds with increasing creation times (some
 * multi-arch, some signed with legacy `.sig`/`.att` tags, some with a referrer in a fallback index),
 * releases, and a multi-arch release whose platform manifests are untagged. Pushed for real.
 */
import { createHash } from 'node:crypto';
import { MediaTypes, computeDigest } from '@tagwright/core';
import type { Descriptor, RegistryClient, RepositoryReference } from '@tagwright/core';
import { pushReferrer } from '@tagwright/testkit';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** A pushed manifest: what the tests check afterwards. */
export interface Pushed extends Descriptor {
  tag?: string;
  children?: Descriptor[];
}

/**
 * Pushes a single-platform OCI image. Its creation time goes in the config `created`, or (with
 * `annotation`) only in the manifest annotation `org.opencontainers.image.created`.
 */
export async function pushBuild(
  client: RegistryClient,
  repo: RepositoryReference,
  options: { tag?: string; created: Date; seed: string; annotation?: boolean; platform?: string },
): Promise<Pushed> {
  const [os = 'linux', architecture = 'amd64'] = (options.platform ?? 'linux/amd64').split('/');
  const layer = await client.putBlob(repo, createHash('sha256').update(`layer:${options.seed}`).digest());
  const config = await client.putBlob(
    repo,
    encode({
      architecture,
      os,
      ...(options.annotation ? {} : { created: options.created.toISOString() }),
      config: { Labels: { seed: options.seed } },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
  );
  const bytes = encode({
    schemaVersion: 2,
    mediaType: MediaTypes.OCI_MANIFEST,
    config: { mediaType: MediaTypes.OCI_CONFIG, digest: config.digest, size: config.size },
    layers: [{ mediaType: MediaTypes.OCI_LAYER, digest: layer.digest, size: layer.size }],
    ...(options.annotation ? { annotations: { 'org.opencontainers.image.created': options.created.toISOString() } } : {}),
  });
  const digest = computeDigest(bytes);
  await client.putManifest(repo, options.tag ?? digest, { bytes, mediaType: MediaTypes.OCI_MANIFEST });
  return { mediaType: MediaTypes.OCI_MANIFEST, digest, size: bytes.byteLength, ...(options.tag ? { tag: options.tag } : {}) };
}

/** Pushes a multi-arch OCI index over two untagged platform images; its time comes from the first child's config. */
export async function pushMultiArch(
  client: RegistryClient,
  repo: RepositoryReference,
  options: { tag: string; created: Date; seed: string },
): Promise<Pushed> {
  const children: Descriptor[] = [];
  for (const platform of ['linux/amd64', 'linux/arm64']) {
    const child = await pushBuild(client, repo, { created: options.created, seed: `${options.seed}:${platform}`, platform });
    const [os = '', architecture = ''] = platform.split('/');
    children.push({ mediaType: child.mediaType, digest: child.digest, size: child.size, platform: { os, architecture } });
  }
  const bytes = encode({ schemaVersion: 2, mediaType: MediaTypes.OCI_INDEX, manifests: children });
  const digest = computeDigest(bytes);
  await client.putManifest(repo, options.tag, { bytes, mediaType: MediaTypes.OCI_INDEX });
  return { mediaType: MediaTypes.OCI_INDEX, digest, size: bytes.byteLength, tag: options.tag, children };
}

/** Pushes a legacy cosign artifact manifest under `sha256-<hex>.sig` (or `.att`), as `cosign sign` does. */
export async function pushCosignTag(
  client: RegistryClient,
  repo: RepositoryReference,
  subject: string,
  kind: 'sig' | 'att',
): Promise<Pushed> {
  const payload = await client.putBlob(repo, encode({ critical: { image: { 'docker-manifest-digest': subject }, type: 'cosign container image signature' } }));
  const config = await client.putBlob(repo, encode({ architecture: '', os: '', created: '0001-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: [payload.digest] } }));
  const bytes = encode({
    schemaVersion: 2,
    mediaType: MediaTypes.OCI_MANIFEST,
    config: { mediaType: MediaTypes.OCI_CONFIG, digest: config.digest, size: config.size },
    layers: [
      {
        mediaType: kind === 'sig' ? 'application/vnd.dev.cosign.simplesigning.v1+json' : 'application/vnd.dsse.envelope.v1+json',
        digest: payload.digest,
        size: payload.size,
        annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' },
      },
    ],
  });
  const tag = `${subject.replace(':', '-')}.${kind}`;
  await client.putManifest(repo, tag, { bytes, mediaType: MediaTypes.OCI_MANIFEST });
  return { mediaType: MediaTypes.OCI_MANIFEST, digest: computeDigest(bytes), size: bytes.byteLength, tag };
}

/** The fixture's contents, by role. */
export interface CiRepository {
  /** `sha-*` builds, oldest first (index 0 is the oldest). */
  builds: Pushed[];
  releases: Record<string, Pushed>;
  /** The multi-arch release (tag `2.0.0`), children untagged. */
  multiArch: Pushed;
  /** Legacy signature/attestation tags by the build index they sign. */
  cosign: Array<{ build: number; artifact: Pushed }>;
  /** Referrers (fallback index `sha256-<hex>`) by the build index they refer to. */
  referrers: Array<{ build: number; referrer: Descriptor }>;
  /** Signature of the release 1.0.0 and referrer of the multi-arch release. */
  releaseArtifacts: Pushed[];
  releaseReferrer: Descriptor;
}

/** The 7-hex build name of build `i` (1-based). */
export function buildTag(i: number): string {
  return `sha-${createHash('sha1').update(`commit ${i}`).digest('hex').slice(0, 7)}`;
}

/** Build numbers (1-based, 1 the oldest) that are multi-arch, signed, attested or carry a referrer. */
export const MULTI_ARCH_BUILDS = [2, 40];
export const SIGNED_BUILDS = [1, 3, 20, 40];
export const ATTESTED_BUILDS = [4, 35];
export const REFERRED_BUILDS = [6, 30];

/**
 * Pushes the CI repository: 40 `sha-*` builds one hour apart from `start` (builds 2 and 40 multi-arch;
 * every fifth build's time only in the OCI annotation), releases `1.0.0` (signed), `1.1.0` = `1.1` = `latest`,
 * multi-arch `2.0.0` (with a referrer), all older than every build.
 */
export async function pushCiRepository(client: RegistryClient, repo: RepositoryReference, start: Date): Promise<CiRepository> {
  const hour = 3_600_000;
  const at = (hours: number): Date => new Date(start.getTime() + hours * hour);
  const releases: Record<string, Pushed> = {};
  releases['1.0.0'] = await pushBuild(client, repo, { tag: '1.0.0', created: at(-100), seed: `${repo.repository} release 1.0.0` });
  releases['1.1.0'] = await pushBuild(client, repo, { tag: '1.1.0', created: at(-50), seed: `${repo.repository} release 1.1.0` });
  for (const tag of ['1.1', 'latest']) {
    const manifest = await client.getManifest({ ...repo, tag: '1.1.0' });
    await client.putManifest(repo, tag, manifest);
  }
  const multiArch = await pushMultiArch(client, repo, { tag: '2.0.0', created: at(-10), seed: `${repo.repository} release 2.0.0` });

  const builds: Pushed[] = [];
  for (let i = 1; i <= 40; i++) {
    const options = { tag: buildTag(i), created: at(i), seed: `${repo.repository} build ${i}` };
    builds.push(
      MULTI_ARCH_BUILDS.includes(i)
        ? await pushMultiArch(client, repo, options)
        : await pushBuild(client, repo, { ...options, annotation: i % 5 === 0 }),
    );
  }
  const build = (i: number): Pushed => builds[i - 1] as Pushed;
  const cosign: CiRepository['cosign'] = [];
  for (const i of SIGNED_BUILDS) cosign.push({ build: i, artifact: await pushCosignTag(client, repo, build(i).digest, 'sig') });
  for (const i of ATTESTED_BUILDS) cosign.push({ build: i, artifact: await pushCosignTag(client, repo, build(i).digest, 'att') });
  const referrers: CiRepository['referrers'] = [];
  for (const i of REFERRED_BUILDS) {
    referrers.push({ build: i, referrer: await pushReferrer(client, repo, build(i), { artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }) });
  }
  const releaseArtifacts = [await pushCosignTag(client, repo, (releases['1.0.0'] as Pushed).digest, 'sig')];
  const releaseReferrer = await pushReferrer(client, repo, multiArch, { artifactType: 'application/spdx+json' });
  return { builds, releases, multiArch, cosign, referrers, releaseArtifacts, releaseReferrer };
}

/** Every tag of a repository and its digest. */
export async function tagsOf(client: RegistryClient, repo: RepositoryReference): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const tag of (await client.listTags(repo)).sort()) result[tag] = (await client.resolveDigest({ ...repo, tag })).digest;
  return result;
}

/** Whether a manifest can still be fetched by digest. */
export async function exists(client: RegistryClient, repo: RepositoryReference, digest: string): Promise<boolean> {
  try {
    await client.getManifest({ ...repo, digest });
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'NOT_FOUND') return false;
    throw error;
  }
}
