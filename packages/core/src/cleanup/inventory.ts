/**
 * The retention backends' I/O: reads a repository into the planner's {@link RetentionInventory}, and carries
 * out a {@link RetentionPlan}. Two backends:
 *
 * - any OCI registry through the distribution API: tags, their manifests, index children, legacy cosign
 *   tags, referrers (fallback index tags, and {@link RegistryClient.referrers} for what is about to go),
 *   creation times from the manifest annotation or the image config; deletes by digest
 *   ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-manifests | Deleting manifests});
 * - GHCR through the GitHub Packages REST API (a package version is one digest, its tags in
 *   `metadata.container.tags`; GHCR's distribution endpoint does not delete), manifests read through the
 *   registry to find index children and referrers; deletes a version by id
 *   ({@link https://docs.github.com/en/rest/packages/packages | REST: Packages}).
 *
 * This is the only I/O of retention; the planner (`@tagwright/core/retention`) stays pure.
 *
 * @packageDocumentation
 */
import pLimit from 'p-limit';
import { parseArtifactTag } from '../grammar/artifact-tag.js';
import { ConfigurationError, PartialMutationError, PolicyError, RegistryError, errorMessage } from '../errors.js';
import type { GitHubClient, GitHubError, PackageOwner, PackageVersion } from '../github/client.js';
// Referenced by TSDoc links.
import type { planRetention } from '../retention/plan.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { MediaTypes, referrersTag } from '../registry/types.js';
import type { Descriptor, RawManifest } from '../registry/types.js';
import type {
  RetentionDeleteEntry,
  RetentionInventory,
  RetentionPlan,
  RetentionReferrer,
  RetentionTag,
  RetentionUntaggedManifest,
} from '../retention/types.js';

/** A legacy cosign artifact tag (`.sig`, `.att`, `.sbom`): its manifest refers to nothing, so only its digest is read. */
function isCosignTag(tag: string): boolean {
  const artifact = parseArtifactTag(tag);
  return artifact !== undefined && artifact.kind !== 'referrers';
}

/**
 * The subject of a referrers fallback index tag `sha256-<hex>`
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema | referrers tag schema});
 * undefined for any other tag (a `sha512-…` tag is truncated and names no whole digest).
 */
function fallbackSubjectOf(tag: string): string | undefined {
  const artifact = parseArtifactTag(tag);
  return artifact?.kind === 'referrers' && artifact.algorithm === 'sha256' ? `sha256:${artifact.hex}` : undefined;
}
/** The OCI annotation holding the creation time ({@link https://github.com/opencontainers/image-spec/blob/main/annotations.md | annotations}). */
const CREATED_ANNOTATION = 'org.opencontainers.image.created';
const CONFIG_MEDIA_TYPES = new Set<string>([MediaTypes.OCI_CONFIG, MediaTypes.DOCKER_CONFIG]);
const DEFAULT_CONCURRENCY = 8;

/** What the registry gather reads with: a subset of {@link RegistryClient}. */
export type RetentionRegistryReader = Pick<RegistryClient, 'listTags' | 'getManifest' | 'resolveDigest' | 'getBlob' | 'referrers'>;

/** Options of {@link gatherRegistryInventory}. */
export interface GatherRegistryOptions {
  /** The registry client (credentials, retries and digest checks are its business). */
  client: RetentionRegistryReader;
  /** The repository to read. */
  repo: RepositoryReference;
  /**
   * Whether the creation time of a tag is needed (default: for every tag). Return false for tags the policy
   * cannot delete (protected, outside `only`) to save one config read per image.
   */
  needsCreated?: (tag: string) => boolean;
  /** Requests in flight at most; default 8. */
  concurrency?: number;
}

/** An inventory and what the reading found worth telling. */
export interface GatheredInventory {
  /** The planner's input. */
  inventory: RetentionInventory;
  /** Things the user should know (a manifest that could not be read and why, an unreadable config). */
  warnings: string[];
}

interface ParsedManifest {
  manifests?: Descriptor[];
  config?: Descriptor;
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** Collects what the readers find, de-duplicated. */
class InventoryBuilder {
  readonly tags: RetentionTag[] = [];
  readonly untagged = new Map<string, RetentionUntaggedManifest>();
  readonly indexes: Record<string, string[]> = {};
  readonly referrers = new Map<string, RetentionReferrer>();
  readonly unreadable = new Set<string>();
  readonly warnings: string[] = [];

  /** Records what a manifest says about other manifests: index children, referrers (fallback index, `subject`). */
  record(digest: string, manifest: ParsedManifest, fallbackSubject?: string): void {
    if (manifest.manifests) {
      this.indexes[digest] = manifest.manifests.map((child) => child.digest);
      if (fallbackSubject !== undefined) {
        for (const child of manifest.manifests) {
          this.addReferrer({ subjectDigest: fallbackSubject, digest: child.digest, ...artifactTypeOf(child) });
        }
      }
    }
    if (manifest.subject?.digest) {
      this.addReferrer({ subjectDigest: manifest.subject.digest, digest, ...artifactTypeOf(manifest) });
    }
  }

  addReferrer(referrer: RetentionReferrer): void {
    const key = `${referrer.subjectDigest} ${referrer.digest}`;
    if (!this.referrers.has(key)) this.referrers.set(key, referrer);
  }

  markUnreadable(what: string, error: unknown): void {
    this.unreadable.add(what);
    this.warnings.push(`could not read ${what}: ${errorMessage(error)}`);
  }

  build(): RetentionInventory {
    return {
      tags: [...this.tags].sort((a, b) => compare(a.tag, b.tag)),
      untagged: [...this.untagged.values()].sort((a, b) => compare(a.digest, b.digest)),
      indexes: this.indexes,
      referrers: [...this.referrers.values()],
      unreadable: [...this.unreadable].sort(),
    };
  }
}

/**
 * Reads a repository of any OCI registry for {@link planRetention}: lists the tags
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags | Listing tags}),
 * GETs each tag's manifest once (its digest, index children, `subject`), HEADs legacy cosign tags
 * (`sha256-<hex>.sig`, `.att`, `.sbom`), reads referrers fallback indexes (`sha256-<hex>`), and takes
 * the creation time from the `org.opencontainers.image.created` annotation, else from the image config's
 * `created` (for an index: that of its first child). A manifest that cannot be read (gone between the
 * listing and the read, not JSON, wrong digest) is listed in `unreadable`, so the planner deletes nothing.
 *
 * Requests, at most `concurrency` at once: 1 tag listing + 1 `GET` per tag (its digest and its body at
 * once; two tags on one digest cost two, since only a read tells they share it) + 1 config read per
 * distinct config whose time is needed and not annotated (+1 child manifest per distinct first child of
 * an unannotated index). Referrers through the referrers API are not read here: call
 * {@link gatherReferrers} for the digests a plan deletes.
 *
 * @param options - see {@link GatherRegistryOptions}.
 * @returns the inventory and warnings.
 * @throws {@link RegistryError} when the tags cannot be listed, or for an authentication, network or
 *   server failure (only a missing or malformed manifest is recorded as unreadable).
 * @example
 * ```ts
 * const { inventory } = await gatherRegistryInventory({ client, repo: parseRepository('registry.example.com/app') });
 * const plan = planRetention({ inventory, policy: { keep: [{ pattern: 'sha-*', count: 30 }] }, canUntag: false, now: new Date() });
 * ```
 */
export async function gatherRegistryInventory(options: GatherRegistryOptions): Promise<GatheredInventory> {
  const { client, repo } = options;
  const needsCreated = options.needsCreated ?? ((): boolean => true);
  const builder = new InventoryBuilder();
  const tags = await client.listTags(repo);
  /** Creation time by manifest digest, by config digest, and child manifests by digest: each read once. */
  const created = new Map<string, Promise<Date | undefined>>();
  const configs = new Map<string, Promise<Date | undefined>>();
  const children = new Map<string, Promise<ParsedManifest | undefined>>();
  const parsed = new Map<string, ParsedManifest>();

  const readConfig = async (digest: string, config: Descriptor): Promise<Date | undefined> => {
    const bytes = await readOrWarn(builder, `config ${config.digest} of ${digest}`, () => client.getBlob(repo, config.digest), false);
    if (!bytes) return undefined;
    try {
      return dateOf((JSON.parse(new TextDecoder().decode(bytes)) as { created?: unknown }).created);
    } catch {
      builder.warnings.push(`config ${config.digest} of ${digest} is not JSON; its creation time is unknown`);
      return undefined;
    }
  };
  const readChild = async (digest: string, child: string): Promise<ParsedManifest | undefined> => {
    const raw = await readOrWarn(builder, `child ${child} of ${digest}`, () => client.getManifest({ ...repo, digest: child }));
    return raw && parseManifest(builder, `child ${child}`, raw);
  };
  const configCreated = async (digest: string, manifest: ParsedManifest): Promise<Date | undefined> => {
    const annotated = dateOf(manifest.annotations?.[CREATED_ANNOTATION]);
    if (annotated) return annotated;
    if (manifest.manifests) {
      const first = manifest.manifests[0];
      if (!first) return undefined;
      const childManifest = await once(children, first.digest, () => readChild(digest, first.digest));
      return childManifest ? createdOf(first.digest, childManifest) : undefined;
    }
    const config = manifest.config;
    if (!config || !CONFIG_MEDIA_TYPES.has(config.mediaType)) return undefined;
    // Images built from one config (reproducible builds, re-tagged rebuilds) share its creation time.
    return once(configs, config.digest, () => readConfig(digest, config));
  };
  const createdOf = (digest: string, manifest: ParsedManifest): Promise<Date | undefined> =>
    once(created, digest, () => configCreated(digest, manifest));

  await forEachLimit(tags, options.concurrency ?? DEFAULT_CONCURRENCY, async (tag) => {
    if (isCosignTag(tag)) {
      const descriptor = await readOrWarn(builder, `tag ${tag}`, () => client.resolveDigest({ ...repo, tag }));
      if (descriptor) builder.tags.push({ tag, digest: descriptor.digest });
      return;
    }
    const raw = await readOrWarn(builder, `tag ${tag}`, () => client.getManifest({ ...repo, tag }));
    if (!raw) return;
    let manifest = parsed.get(raw.digest);
    if (!manifest) {
      manifest = parseManifest(builder, `tag ${tag}`, raw);
      if (!manifest) return;
      parsed.set(raw.digest, manifest);
    }
    const fallback = fallbackSubjectOf(tag);
    builder.record(raw.digest, manifest, fallback);
    const time = fallback === undefined && needsCreated(tag) ? await createdOf(raw.digest, manifest) : undefined;
    builder.tags.push({ tag, digest: raw.digest, ...(time ? { created: time } : {}) });
  });
  return { inventory: builder.build(), warnings: builder.warnings };
}

/**
 * Adds to an inventory the referrers of some digests found through {@link RegistryClient.referrers}
 * (the referrers API, or the fallback index when the registry has none;
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers | Listing referrers}).
 * Call it with the digests a first plan deletes, then plan again: their signatures and attestations go
 * with them. Digests whose fallback index tag is already in the inventory are skipped (already read).
 *
 * Requests: the first lookup alone, then at most `concurrency` at once. On a registry without the
 * referrers API that first lookup's 404 is the only request: the tag listing the inventory was read from
 * says which fallback index tags exist (those were read with it), so every other lookup is answered
 * from it. With the API: 1 per digest (and per referrer found, for referrers of referrers).
 *
 * @param client - the registry client.
 * @param repo - the repository.
 * @param inventory - what {@link gatherRegistryInventory} returned.
 * @param digests - the subjects whose referrers to look up.
 * @returns a new inventory with the referrers added (referrers of referrers too).
 * @throws {@link RegistryError} when a lookup fails or its answer does not parse (5xx after retries, `TIMEOUT`,
 *   `INVALID_RESPONSE`): a cleanup must not delete without knowing the referrers, so it stops before any delete.
 */
export async function gatherReferrers(
  client: Pick<RegistryClient, 'referrers'>,
  repo: RepositoryReference,
  inventory: RetentionInventory,
  digests: readonly string[],
  options: { concurrency?: number } = {},
): Promise<GatheredInventory> {
  const known = new Set(inventory.tags.map((entry) => entry.tag));
  const referrers = new Map<string, RetentionReferrer>();
  for (const referrer of inventory.referrers ?? []) referrers.set(`${referrer.subjectDigest} ${referrer.digest}`, referrer);
  const warnings: string[] = [];
  const asked = new Set<string>();
  let wave = [...new Set(digests)];
  while (wave.length > 0) {
    const next: string[] = [];
    const lookup = async (digest: string): Promise<void> => {
      asked.add(digest);
      try {
        for (const descriptor of await client.referrers(repo, digest, { listedTags: known })) {
          const key = `${digest} ${descriptor.digest}`;
          if (referrers.has(key)) continue;
          referrers.set(key, { subjectDigest: digest, digest: descriptor.digest, ...artifactTypeOf(descriptor) });
          next.push(descriptor.digest);
        }
      } catch (error) {
        // Fail closed: without the referrers a delete could leave signatures of a deleted image, or
        // delete what a kept manifest refers to. The whole cleanup stops before any delete.
        throw new RegistryError(
          error instanceof RegistryError ? error.code : 'REGISTRY_ERROR',
          `list the referrers of ${digest} in ${repo.registry}/${repo.repository}: ${errorMessage(error)}; nothing deleted`,
          error instanceof RegistryError ? { cause: error, status: error.status, ociErrors: error.ociErrors } : { cause: error },
        );
      }
    };
    const pending = wave.filter((digest) => !asked.has(digest) && !known.has(referrersTag(digest)));
    // The first lookup alone: when the registry has no referrers API (404), the client remembers it and
    // every other lookup is answered from the listing already held, without a request.
    if (asked.size === 0 && pending.length > 0) await lookup(pending.shift() as string);
    await forEachLimit(pending, options.concurrency ?? DEFAULT_CONCURRENCY, lookup);
    wave = next;
  }
  return { inventory: { ...inventory, referrers: [...referrers.values()] }, warnings };
}

/** Options of {@link gatherGhcrInventory}. */
export interface GatherGhcrOptions {
  /** The GitHub adapter (Packages API). */
  github: Pick<GitHubClient, 'listPackageVersions'>;
  /** The package owner; a bare login is tried as an organization, then as a user. */
  owner: PackageOwner | string;
  /** The container package name, e.g. `app` for `ghcr.io/acme/app` (`tools/app` for `ghcr.io/acme/tools/app`). */
  packageName: string;
  /** Reads manifests from `ghcr.io` (index children, referrers). */
  client: Pick<RegistryClient, 'getManifest'>;
  /** The repository the manifests are read from, e.g. `{ registry: 'ghcr.io', repository: 'acme/app' }`. */
  repo: RepositoryReference;
  /**
   * Read the manifests of untagged versions too (one request each). Needed before untagged versions are
   * deleted, so that a referrer or a child of a kept index is known as such; default false.
   */
  readUntagged?: boolean;
  /** Requests in flight at most; default 8. */
  concurrency?: number;
}

/** A GHCR inventory, with what deleting needs. */
export interface GatheredGhcrInventory extends GatheredInventory {
  /** The owner the versions were found under. */
  owner: PackageOwner;
  /** Every active version of the package. */
  versions: PackageVersion[];
}

/**
 * Reads a GHCR container package for {@link planRetention}: its versions through the GitHub Packages
 * REST API (a version is one manifest digest, its tags in `metadata.container.tags`, its `created_at` the
 * creation time), then each tagged version's manifest from the registry (legacy cosign tags excepted),
 * to know index children and referrers. A manifest that cannot be read goes in `unreadable`.
 *
 * Requests: the version listing (100 per page) + 1 manifest per tagged version (+1 per untagged
 * version with `readUntagged`).
 *
 * @param options - see {@link GatherGhcrOptions}.
 * @returns the inventory, warnings, the owner and the versions.
 * @throws {@link GitHubError} when the versions cannot be listed (e.g. `NOT_FOUND` for an unknown package,
 *   `FORBIDDEN` without `read:packages`); {@link RegistryError} for an authentication or server failure.
 * @example
 * ```ts
 * const gathered = await gatherGhcrInventory({ github, owner: 'acme', packageName: 'app', client, repo });
 * const plan = planRetention({ inventory: gathered.inventory, policy, canUntag: false, now: new Date() });
 * await executeRetentionPlan(plan, ghcrDeleteTarget(github, gathered.owner, 'app', gathered.versions));
 * ```
 */
export async function gatherGhcrInventory(options: GatherGhcrOptions): Promise<GatheredGhcrInventory> {
  const { github, packageName, client, repo } = options;
  const { owner, versions } = await listVersions(github, options.owner, packageName);
  const builder = new InventoryBuilder();
  const toRead: Array<{ digest: string; fallbackSubject?: string; label: string }> = [];
  for (const version of versions) {
    const created = dateOf(version.createdAt);
    const time = created ? { created } : {};
    for (const tag of version.tags) builder.tags.push({ tag, digest: version.digest, ...time });
    if (version.tags.length === 0) builder.untagged.set(version.digest, { digest: version.digest, ...time });
    const ordinary = version.tags.filter((tag) => !isCosignTag(tag));
    const fallback = ordinary.map(fallbackSubjectOf).find((subject) => subject !== undefined);
    if (ordinary.length > 0 || (version.tags.length === 0 && options.readUntagged === true)) {
      toRead.push({
        digest: version.digest,
        label: version.tags.length > 0 ? `tag ${ordinary[0] ?? ''} (${version.digest})` : `untagged version ${version.digest}`,
        ...(fallback !== undefined ? { fallbackSubject: fallback } : {}),
      });
    }
  }
  await forEachLimit(toRead, options.concurrency ?? DEFAULT_CONCURRENCY, async (item) => {
    const raw = await readOrWarn(builder, item.label, () => client.getManifest({ ...repo, digest: item.digest }));
    const manifest = raw && parseManifest(builder, item.label, raw);
    if (manifest) builder.record(item.digest, manifest, item.fallbackSubject);
  });
  return { inventory: builder.build(), warnings: builder.warnings, owner, versions };
}

async function listVersions(
  github: Pick<GitHubClient, 'listPackageVersions'>,
  owner: PackageOwner | string,
  packageName: string,
): Promise<{ owner: PackageOwner; versions: PackageVersion[] }> {
  if (typeof owner !== 'string') return { owner, versions: await github.listPackageVersions(owner, packageName) };
  try {
    return { owner: { org: owner }, versions: await github.listPackageVersions({ org: owner }, packageName) };
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'NOT_FOUND') throw error;
    return { owner: { user: owner }, versions: await github.listPackageVersions({ user: owner }, packageName) };
  }
}

/** An inventory brought up to date just before deleting, and the tags that changed. */
export interface RefreshedInventory {
  /** The inventory with new and moved tags applied. */
  inventory: RetentionInventory;
  /** Tags that appeared or now resolve to another digest, sorted; empty when nothing changed. */
  changed: string[];
}

/**
 * Checks, just before deleting, that no tag arrived on a manifest the plan deletes: lists the tags again
 * and resolves (`HEAD`) every tag that is new, and every tag in `recheck` (e.g. the protected ones, which a
 * rollback or a promotion may have moved). Plan again with the returned inventory when `changed` is not
 * empty: a new tag has no known creation time, so the planner keeps its manifest.
 *
 * Requests: 1 tag listing + 1 per new or rechecked tag.
 *
 * @param client - the registry client.
 * @param repo - the repository.
 * @param inventory - the inventory the plan was made from.
 * @param options - `recheck`: known tags to resolve again.
 * @returns the updated inventory and the changed tags.
 * @throws {@link RegistryError} when the tags cannot be listed or a tag cannot be resolved (other than gone).
 */
export async function refreshRegistryTags(
  client: Pick<RegistryClient, 'listTags' | 'resolveDigest'>,
  repo: RepositoryReference,
  inventory: RetentionInventory,
  options: { recheck?: readonly string[]; concurrency?: number } = {},
): Promise<RefreshedInventory> {
  const known = new Set(inventory.tags.map((entry) => entry.tag));
  const listed = new Set(await client.listTags(repo));
  const toResolve = [...listed].filter((tag) => !known.has(tag));
  for (const tag of options.recheck ?? []) if (known.has(tag) && listed.has(tag)) toResolve.push(tag);
  const current: RetentionTag[] = [];
  await forEachLimit(toResolve, options.concurrency ?? DEFAULT_CONCURRENCY, async (tag) => {
    try {
      current.push({ tag, digest: (await client.resolveDigest({ ...repo, tag })).digest });
    } catch (error) {
      // Gone since the listing: nothing to protect.
      if ((error as { code?: unknown }).code !== 'NOT_FOUND') throw error;
    }
  });
  return mergeTags(inventory, current);
}

/**
 * The GHCR counterpart of {@link refreshRegistryTags}: lists the package versions again and applies every
 * tag that is new or now on another version.
 *
 * @returns the updated inventory, the changed tags and the current versions (for {@link ghcrDeleteTarget}).
 * @throws {@link GitHubError} when the versions cannot be listed.
 */
export async function refreshGhcrTags(
  github: Pick<GitHubClient, 'listPackageVersions'>,
  owner: PackageOwner,
  packageName: string,
  inventory: RetentionInventory,
): Promise<RefreshedInventory & { versions: PackageVersion[] }> {
  const versions = await github.listPackageVersions(owner, packageName);
  const current: RetentionTag[] = [];
  for (const version of versions) {
    const created = dateOf(version.createdAt);
    for (const tag of version.tags) current.push({ tag, digest: version.digest, ...(created ? { created } : {}) });
  }
  return { ...mergeTags(inventory, current), versions };
}

function mergeTags(inventory: RetentionInventory, current: readonly RetentionTag[]): RefreshedInventory {
  const byTag = new Map(inventory.tags.map((entry) => [entry.tag, entry]));
  const changed: string[] = [];
  for (const entry of current) {
    if (byTag.get(entry.tag)?.digest === entry.digest) continue;
    byTag.set(entry.tag, entry);
    changed.push(entry.tag);
  }
  if (changed.length === 0) return { inventory, changed };
  const tags = [...byTag.values()].sort((a, b) => compare(a.tag, b.tag));
  return { inventory: { ...inventory, tags }, changed: changed.sort() };
}

/** Where a plan's deletions go: one manifest at a time, by digest. */
export interface RetentionDeleteTarget {
  /** For messages, e.g. `registry.example.com/app` or `GHCR package acme/app`. */
  readonly name: string;
  /**
   * Deletes one manifest (and with it every tag on it).
   *
   * @returns `'deleted'`, or `'absent'` when it was already gone.
   */
  deleteManifest(digest: string): Promise<'deleted' | 'absent'>;
  /**
   * The re-reads around each delete (see {@link executeRetentionPlan}); without it the plan is carried out
   * as it is (tests of the order only).
   */
  readonly guard?: RetentionDeleteGuard;
}

/**
 * What {@link executeRetentionPlan} reads just before and just after each delete: the registry has no
 * conditional delete, so a tag moved onto a manifest since the plan must be seen before the DELETE, and a
 * tag lost in the remaining window must be seen (and put back) after it.
 */
export interface RetentionDeleteGuard {
  /** Lists the repository's tags now. */
  listTags(): Promise<string[]>;
  /** Resolves tags to the digest each points at now (bounded concurrency); a tag that is gone is left out. */
  resolveTags(tags: readonly string[]): Promise<Map<string, string>>;
  /**
   * Reads a manifest's bytes by digest, to put a lost tag back; undefined when the manifest is gone (it is
   * then reported as already absent). Absent when the backend cannot put a tag back.
   */
  readManifest?(digest: string): Promise<RawManifest | undefined>;
  /** Whether a manifest is there now (a `HEAD` by digest); for a delete whose answer was lost. */
  exists(digest: string): Promise<boolean>;
  /** Writes a tag back onto a manifest (the bytes {@link RetentionDeleteGuard.readManifest} returned); absent when the backend cannot. */
  restoreTag?(tag: string, manifest: RawManifest): Promise<void>;
  /**
   * The tags on one manifest now, in one request; undefined when the manifest is gone. A backend whose API
   * answers that (GHCR: a package version carries its tags) gives it, and {@link executeRetentionPlan} then
   * reads it right before each delete instead of listing and resolving every tag, and lists the tags once
   * after the last delete instead of after each (no tag can be put back there anyway).
   */
  tagsOf?(digest: string): Promise<string[] | undefined>;
}

/**
 * Deletes through the distribution API: `DELETE /v2/<name>/manifests/<digest>`
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-manifests | Deleting manifests}).
 * A manifest already gone (404) counts as `absent`. Its guard lists the tags, resolves them with `HEAD`
 * (at most `concurrency` at once, default 8), and puts a lost tag back with a `PUT` of the same bytes.
 */
export function registryDeleteTarget(
  client: Pick<RegistryClient, 'deleteManifest'> & Partial<Pick<RegistryClient, 'listTags' | 'resolveDigest' | 'getManifest' | 'putManifest'>>,
  repo: RepositoryReference,
  options: { concurrency?: number } = {},
): RetentionDeleteTarget {
  const { listTags, resolveDigest, getManifest, putManifest } = client;
  const guard: RetentionDeleteGuard | undefined =
    listTags && resolveDigest && getManifest
      ? {
          listTags: () => listTags(repo),
          async resolveTags(tags) {
            const found = new Map<string, string>();
            await forEachLimit(tags, options.concurrency ?? DEFAULT_CONCURRENCY, async (tag) => {
              try {
                found.set(tag, (await resolveDigest({ ...repo, tag })).digest);
              } catch (error) {
                if ((error as { code?: unknown }).code !== 'NOT_FOUND') throw error;
              }
            });
            return found;
          },
          async readManifest(digest) {
            try {
              return await getManifest({ ...repo, digest });
            } catch (error) {
              if ((error as { code?: unknown }).code === 'NOT_FOUND') return undefined;
              throw error;
            }
          },
          async exists(digest) {
            try {
              await resolveDigest({ ...repo, digest });
              return true;
            } catch (error) {
              if ((error as { code?: unknown }).code === 'NOT_FOUND') return false;
              throw error;
            }
          },
          ...(putManifest
            ? {
                async restoreTag(tag: string, manifest: RawManifest) {
                  await putManifest(repo, tag, manifest);
                },
              }
            : {}),
        }
      : undefined;
  return {
    name: `${repo.registry}/${repo.repository}`,
    async deleteManifest(digest) {
      try {
        await client.deleteManifest(repo, digest);
        return 'deleted';
      } catch (error) {
        if ((error as { code?: unknown }).code === 'NOT_FOUND') return 'absent';
        throw error;
      }
    },
    ...(guard ? { guard } : {}),
  };
}

/**
 * Deletes GHCR package versions by id through the GitHub Packages REST API
 * ({@link https://docs.github.com/en/rest/packages/packages#delete-package-version-for-an-organization | Delete package version}).
 *
 * @param versions - the versions {@link gatherGhcrInventory} listed; a digest without a version is `absent`.
 */
export function ghcrDeleteTarget(
  github: Pick<GitHubClient, 'deletePackageVersion'>,
  owner: PackageOwner,
  packageName: string,
  versions: readonly PackageVersion[],
): RetentionDeleteTarget {
  const idOf = new Map(versions.map((version) => [version.digest, version.id]));
  const who = 'org' in owner ? owner.org : 'user' in owner ? owner.user : '(token owner)';
  return {
    name: `GHCR package ${who}/${packageName}`,
    async deleteManifest(digest) {
      const id = idOf.get(digest);
      if (id === undefined) return 'absent';
      try {
        await github.deletePackageVersion(owner, packageName, id);
        return 'deleted';
      } catch (error) {
        if ((error as { code?: unknown }).code === 'NOT_FOUND') return 'absent';
        throw error;
      }
    },
  };
}

/** One manifest the execution removed. */
export interface RetentionDeletedManifest {
  digest: string;
  /** The tags that went with it. */
  tags: string[];
  /** True when it was already gone (someone else deleted it). */
  alreadyAbsent?: boolean;
  /**
   * Tags that were not planned to go but went with it: moved onto it between the re-read and the DELETE
   * (the window the registry leaves open). `restored`: put back onto the same manifest; else lost.
   */
  lostTags?: Array<{ tag: string; restored: boolean; error?: string }>;
}

/** What {@link executeRetentionPlan} did. */
export interface RetentionExecutionReport {
  /** Deleted manifests, in the order they went. */
  deleted: RetentionDeletedManifest[];
  /** Planned deletions that were not made (the failed or stopped one included), in plan order. */
  notDeleted: RetentionDeleteEntry[];
  /**
   * The deletion that failed, when one did. `state`: whether that manifest is gone, re-read after the
   * failure: `deleted` (the DELETE landed although its answer was lost), `not-deleted`, or `unknown`
   * (the re-read failed too).
   */
  failed?: { digest: string; tags: string[]; error: string; state: 'deleted' | 'not-deleted' | 'unknown' };
  /**
   * Tags the plan keeps that were missing from the listing made once after the last delete (backends with
   * {@link RetentionDeleteGuard.tagsOf}): moved onto a deleted manifest after its re-read, or deleted by
   * someone else meanwhile. They were not put back.
   */
  lostAfter?: string[];
  /**
   * Why the deletions stopped early without an error: a tag that must stay now points at the next manifest
   * to delete (a promotion or rollback moved it there since the plan), or a lost tag was put back. Run the
   * cleanup again to plan with the new tags.
   */
  stopped?: { digest: string; tags: string[]; reason: string };
}

/**
 * Carries out the deletions of a plan, one manifest at a time in plan order (referrers and signatures
 * before their subject, an index before its children), stopping at the first failure.
 *
 * Before anything is deleted it checks the plan against itself: no digest both kept and deleted, no
 * untag (neither backend can remove one tag without deleting the manifest).
 *
 * With the target's {@link RetentionDeleteGuard}, immediately before each DELETE it lists the tags and
 * resolves every tag the plan does not expect to die with that manifest (and lists again, resolving any tag
 * that appeared meanwhile): when one of them now points at the manifest (a promotion or rollback moved it
 * there), nothing more is deleted (`stopped`). Immediately after each DELETE it lists the tags again and
 * resolves again every tag resolved before: one that is gone or no longer resolves went with the manifest
 * (moved onto it after the check; the registry can leave such a tag listed but pointing at nothing) and is
 * put back onto the same bytes, and nothing more is deleted. Such a tag can also be written after that
 * re-read: the next re-read (and one final re-read after the last DELETE) finds a tag resolved after the
 * previous DELETE still listed but no longer resolving, and puts it back onto that manifest's bytes. A DELETE that fails (e.g. `TIMEOUT`) may have landed:
 * the manifest is read again and the report says `deleted`, `not-deleted` or `unknown`.
 *
 * With {@link RetentionDeleteGuard.tagsOf} (GHCR) the re-read before each DELETE is that one request (the
 * tags on the manifest now; any the plan does not expect to die stops the deletions), and the tags are listed
 * once after the last DELETE: a kept tag missing then is reported in `lostAfter` and the run fails with
 * {@link PartialMutationError} (it cannot be put back).
 *
 * Remaining window: a tag *created* on the manifest after the last listing and before the DELETE lands is
 * deleted with it and cannot be seen afterwards. Run promote, rollback and cleanup in one `concurrency` group.
 *
 * @param plan - from {@link planRetention} (a `skipped` plan deletes nothing).
 * @param target - {@link registryDeleteTarget} or {@link ghcrDeleteTarget}.
 * @param options - `onDeleted` is called after each deletion (for progress logs).
 * @returns the report: deleted manifests, what was not deleted and why (`stopped`).
 * @throws {@link PartialMutationError} with a {@link RetentionExecutionReport} when a deletion or a re-read
 *   fails: exactly what was deleted, what was not, and the state of the failed one.
 * @throws {@link PolicyError} `INCONSISTENT_PLAN`, {@link ConfigurationError} `UNSUPPORTED`, before any deletion.
 */
export async function executeRetentionPlan(
  plan: RetentionPlan,
  target: RetentionDeleteTarget,
  options: { onDeleted?: (entry: RetentionDeletedManifest) => void } = {},
): Promise<RetentionExecutionReport> {
  if (plan.skipped !== undefined) return { deleted: [], notDeleted: [] };
  const kept = new Set(plan.keep.map((entry) => entry.digest));
  const clash = plan.delete.find((entry) => kept.has(entry.digest));
  if (clash) {
    throw new PolicyError('INCONSISTENT_PLAN', `delete ${clash.digest} from ${target.name}: the plan also keeps it; nothing deleted`);
  }
  if (plan.untag.length > 0) {
    throw new ConfigurationError(
      'UNSUPPORTED',
      `untag ${plan.untag.map((entry) => entry.tag).join(', ')} in ${target.name}: this registry cannot remove a tag without deleting its manifest; nothing deleted`,
    );
  }
  const report: RetentionExecutionReport = { deleted: [], notDeleted: [] };
  const guard = target.guard;
  /** Tags already gone with an earlier delete (they are not listed any more). */
  const gone = new Set<string>();
  const fail = (i: number, entry: RetentionDeleteEntry, what: string, error: unknown, state: 'deleted' | 'not-deleted' | 'unknown'): never => {
    report.notDeleted = plan.delete.slice(state === 'deleted' ? i + 1 : i);
    report.failed = { digest: entry.digest, tags: entry.tags, error: errorMessage(error), state };
    const outcome = state === 'deleted' ? 'it was deleted' : state === 'not-deleted' ? 'it was not deleted' : 'whether it was deleted is unknown';
    const done = report.deleted.length;
    throw new PartialMutationError(
      `${what} ${entry.digest}${entry.tags.length > 0 ? ` (${entry.tags.join(', ')})` : ''} from ${target.name}: ${errorMessage(error)}; ` +
        `${outcome}; ${done} of ${plan.delete.length} manifest(s) were deleted`,
      report,
      { cause: error },
    );
  };
  /** The manifest was already gone (someone else deleted it): recorded as deleted, `alreadyAbsent`. */
  const recordAbsent = (entry: RetentionDeleteEntry): void => {
    const done: RetentionDeletedManifest = { digest: entry.digest, tags: entry.tags, alreadyAbsent: true };
    report.deleted.push(done);
    for (const tag of entry.tags) gone.add(tag);
    options.onDeleted?.(done);
  };
  /** Stops before deleting `entry`: tags the plan does not expect to die point at it now. */
  const stopAt = (i: number, entry: RetentionDeleteEntry, holders: readonly string[]): RetentionExecutionReport => {
    report.notDeleted = plan.delete.slice(i);
    report.stopped = {
      digest: entry.digest,
      tags: [...holders],
      reason: `tag(s) ${holders.join(', ')} now point at ${entry.digest}, which the plan deletes (moved since the plan)`,
    };
    return report;
  };
  const tagsOf = guard?.tagsOf?.bind(guard);
  /** With `tagsOf`: the listing once after the deletions (or after a stop) says whether a kept tag went. */
  const finish = async (): Promise<RetentionExecutionReport> => {
    if (!guard || !tagsOf || report.deleted.length === 0) return report;
    const keep = [...new Set(plan.keep.flatMap((entry) => (entry.tag === undefined ? [] : [entry.tag])))];
    let after: Set<string>;
    try {
      after = new Set(await guard.listTags());
    } catch (error) {
      throw new PartialMutationError(
        `re-read the tags of ${target.name} after deleting: ${errorMessage(error)}; ${report.deleted.length} of ${plan.delete.length} manifest(s) were deleted`,
        report,
        { cause: error },
      );
    }
    const lost = keep.filter((tag) => !after.has(tag)).sort();
    if (lost.length === 0) return report;
    report.lostAfter = lost;
    throw new PartialMutationError(
      `delete from ${target.name}: tag(s) ${lost.join(', ')} that the plan keeps are gone after the deletions (moved onto a deleted ` +
        `manifest after its re-read, or deleted by someone else); this backend cannot put them back; ` +
        `${report.deleted.length} of ${plan.delete.length} manifest(s) were deleted`,
      report,
    );
  };
  /**
   * The last delete of the registry path: the tags resolved right after it. A tag moved onto its manifest
   * while the DELETE ran can be written only after that re-read and be left pointing at nothing (the
   * registry removes a manifest and its tags in separate steps): a tag of this set still listed but no
   * longer resolving at the next check (or the final one) went with it, and is put back onto its bytes.
   */
  let last: { index: number; done: RetentionDeletedManifest; bytes: RawManifest | undefined; tags: Set<string> } | undefined;
  const danglingSinceLast = async (listed: ReadonlySet<string>, resolved: ReadonlyMap<string, string>): Promise<string[]> => {
    if (!guard || !last) return [];
    const suspects = [...last.tags].filter((tag) => listed.has(tag) && !resolved.has(tag));
    if (suspects.length === 0) return [];
    // Listed and not resolving: read both again, so that a tag deleted by someone meanwhile is not put back.
    const again = new Set(await guard.listTags());
    const still = await guard.resolveTags(suspects.filter((tag) => again.has(tag)));
    return suspects.filter((tag) => again.has(tag) && !still.has(tag)).sort();
  };
  /** Puts dangling tags back onto the last deleted manifest; stops the deletions (or throws when one cannot be). */
  const repairLast = async (dangling: readonly string[]): Promise<RetentionExecutionReport> => {
    const { index, done, bytes } = last as NonNullable<typeof last>;
    done.lostTags = [...(done.lostTags ?? []), ...(await restoreTags(guard, dangling, bytes))];
    report.notDeleted = plan.delete.slice(index + 1);
    const unrestored = done.lostTags.filter((item) => !item.restored);
    if (unrestored.length > 0) {
      throw new PartialMutationError(
        `delete ${done.digest} from ${target.name}: tag(s) ${unrestored.map((item) => item.tag).join(', ')} moved onto it while it was ` +
          `deleted and were left pointing at nothing; putting them back failed (${unrestored.map((item) => item.error ?? '').join('; ')}); ` +
          `${report.deleted.length} of ${plan.delete.length} manifest(s) were deleted`,
        report,
      );
    }
    report.stopped = {
      digest: done.digest,
      tags: [...dangling],
      reason: `tag(s) ${dangling.join(', ')} moved onto ${done.digest} while it was deleted and were put back onto it`,
    };
    return report;
  };
  for (const [i, entry] of plan.delete.entries()) {
    const dying = new Set(entry.tags);
    let before = new Map<string, string>();
    let bytes: RawManifest | undefined;
    if (tagsOf) {
      // Re-read right before the DELETE, in one request: the tags on this manifest now.
      let now: string[] | undefined;
      try {
        now = await tagsOf(entry.digest);
      } catch (error) {
        return fail(i, entry, 're-read the tags before deleting', error, 'not-deleted');
      }
      if (now === undefined) {
        recordAbsent(entry);
        continue;
      }
      const holders = now.filter((tag) => !dying.has(tag)).sort();
      if (holders.length > 0) {
        stopAt(i, entry, holders);
        return finish();
      }
    } else if (guard) {
      // Re-read right before the DELETE: every tag that must survive, resolved now.
      let dangling: string[] = [];
      try {
        let listed = new Set(await guard.listTags());
        // Both at once; Promise.all so that a failure of one never leaves the other's rejection unhandled.
        [before, bytes] = await Promise.all([
          guard.resolveTags([...listed].filter((tag) => !dying.has(tag) && !gone.has(tag))),
          guard.readManifest ? guard.readManifest(entry.digest) : Promise.resolve(undefined),
        ]);
        // Tags that appeared while the others were resolved: resolve them too (a few rounds at most).
        for (let round = 0; round < 3; round++) {
          const again = await guard.listTags();
          const fresh = again.filter((tag) => !listed.has(tag) && !dying.has(tag) && !gone.has(tag));
          listed = new Set(again);
          if (fresh.length === 0) break;
          for (const [tag, digest] of await guard.resolveTags(fresh)) before.set(tag, digest);
        }
        dangling = await danglingSinceLast(listed, before);
      } catch (error) {
        return fail(i, entry, 're-read the tags before deleting', error, 'not-deleted');
      }
      if (dangling.length > 0) return repairLast(dangling);
      if (guard.readManifest && bytes === undefined) {
        recordAbsent(entry);
        continue;
      }
      const holders = [...before].filter(([, digest]) => digest === entry.digest).map(([tag]) => tag).sort();
      // The check of the last delete ran in this re-read already (danglingSinceLast).
      if (holders.length > 0) return stopAt(i, entry, holders);
    }
    let outcome: 'deleted' | 'absent';
    try {
      outcome = await target.deleteManifest(entry.digest);
    } catch (error) {
      // The DELETE may have landed although its answer was lost (a timeout, a reset): read again.
      let state: 'deleted' | 'not-deleted' | 'unknown' = 'unknown';
      if (guard) {
        try {
          state = (await guard.exists(entry.digest)) ? 'not-deleted' : 'deleted';
        } catch {
          state = 'unknown';
        }
      } else if ((error as { code?: unknown }).code !== 'TIMEOUT' && (error as { code?: unknown }).code !== 'NETWORK_ERROR') {
        state = 'not-deleted';
      }
      if (state === 'deleted') report.deleted.push({ digest: entry.digest, tags: entry.tags });
      return fail(i, entry, 'delete', error, state);
    }
    const done: RetentionDeletedManifest = { digest: entry.digest, tags: entry.tags, ...(outcome === 'absent' ? { alreadyAbsent: true } : {}) };
    for (const tag of entry.tags) gone.add(tag);
    if (guard && !tagsOf) {
      // Re-read right after: a tag resolved before and missing now went with this manifest. The registry
      // removes a manifest and its tags in separate steps, so a tag moved onto it while its DELETE ran can
      // stay listed but point at nothing: every tag resolved before is resolved again.
      let after: Set<string>;
      let resolved: Map<string, string>;
      try {
        after = new Set(await guard.listTags());
        resolved = await guard.resolveTags([...before.keys()].filter((tag) => after.has(tag)));
      } catch (error) {
        report.deleted.push(done);
        return fail(i, entry, 're-read the tags after deleting', error, 'deleted');
      }
      const lost = [...before.keys()].filter((tag) => !after.has(tag) || !resolved.has(tag)).sort();
      if (lost.length > 0) {
        done.lostTags = await restoreTags(guard, lost, bytes);
        report.deleted.push(done);
        options.onDeleted?.(done);
        const unrestored = done.lostTags.filter((item) => !item.restored);
        if (unrestored.length > 0) {
          report.notDeleted = plan.delete.slice(i + 1);
          throw new PartialMutationError(
            `delete ${entry.digest} from ${target.name}: tag(s) ${unrestored.map((item) => item.tag).join(', ')} moved onto it after the ` +
              `re-read and went with it; putting them back failed (${unrestored.map((item) => item.error ?? '').join('; ')}); ` +
              `${report.deleted.length} of ${plan.delete.length} manifest(s) were deleted`,
            report,
          );
        }
        // The manifest is back under a tag that stays: what it holds must stay too. Plan again next run.
        report.notDeleted = plan.delete.slice(i + 1);
        report.stopped = {
          digest: entry.digest,
          tags: lost,
          reason: `tag(s) ${lost.join(', ')} moved onto ${entry.digest} while it was deleted and were put back onto it`,
        };
        return report;
      }
      last = { index: i, done, bytes, tags: new Set(resolved.keys()) };
    }
    report.deleted.push(done);
    options.onDeleted?.(done);
  }
  if (guard && !tagsOf && last) {
    // The final check for the last delete (see `last`).
    let dangling: string[];
    try {
      const listed = new Set(await guard.listTags());
      dangling = await danglingSinceLast(listed, await guard.resolveTags([...last.tags].filter((tag) => listed.has(tag))));
    } catch (error) {
      throw new PartialMutationError(
        `re-read the tags of ${target.name} after deleting: ${errorMessage(error)}; ${report.deleted.length} of ${plan.delete.length} manifest(s) were deleted`,
        report,
        { cause: error },
      );
    }
    if (dangling.length > 0) return repairLast(dangling);
  }
  return finish();
}

/** Runs a read; a missing or malformed manifest is recorded as unreadable (or only warned about), anything else throws. */
async function readOrWarn<T>(builder: InventoryBuilder, what: string, read: () => Promise<T>, unreadable = true): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'NOT_FOUND' && code !== 'DIGEST_MISMATCH') throw error;
    if (unreadable) builder.markUnreadable(what, error);
    else builder.warnings.push(`could not read ${what}: ${errorMessage(error)}`);
    return undefined;
  }
}

function parseManifest(builder: InventoryBuilder, what: string, raw: RawManifest): ParsedManifest | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(raw.bytes)) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    const manifest = value as ParsedManifest;
    if (manifest.manifests !== undefined && !Array.isArray(manifest.manifests)) throw new Error('manifests is not an array');
    for (const child of manifest.manifests ?? []) {
      if (typeof child?.digest !== 'string') throw new Error('an index entry has no digest');
    }
    return manifest;
  } catch (error) {
    builder.markUnreadable(`${what} (${raw.digest})`, error);
    return undefined;
  }
}

function artifactTypeOf(value: { artifactType?: unknown }): { artifactType?: string } {
  return typeof value.artifactType === 'string' ? { artifactType: value.artifactType } : {};
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  // Cosign's `0001-01-01T00:00:00Z` and similar placeholders are no creation time.
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1971) return undefined;
  return date;
}

/** The value under `key`, computed by `compute` on first use (concurrent callers share one computation). */
function once<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (!pending) {
    pending = compute();
    cache.set(key, pending);
  }
  return pending;
}

async function forEachLimit<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const limit = pLimit(Math.max(1, concurrency));
  await Promise.all(items.map((item) => limit(() => work(item))));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Writes each lost tag back onto `bytes` (the deleted manifest), one after another; says for each whether it worked. */
async function restoreTags(
  guard: RetentionDeleteGuard | undefined,
  tags: readonly string[],
  bytes: RawManifest | undefined,
): Promise<NonNullable<RetentionDeletedManifest['lostTags']>> {
  const outcome: NonNullable<RetentionDeletedManifest['lostTags']> = [];
  for (const tag of tags) {
    if (!guard?.restoreTag || bytes === undefined) {
      outcome.push({ tag, restored: false, error: 'this backend cannot put a tag back' });
      continue;
    }
    try {
      await guard.restoreTag(tag, bytes);
      outcome.push({ tag, restored: true });
    } catch (error) {
      outcome.push({ tag, restored: false, error: errorMessage(error) });
    }
  }
  return outcome;
}
