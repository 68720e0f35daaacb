import type { GitHubClient, PackageOwner, PackageVersion } from '../github/client.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import type { RetentionInventory, RetentionPlan } from '../retention/types.js';
import {
  gatherGhcrInventory,
  gatherReferrers,
  gatherRegistryInventory,
  ghcrDeleteTarget,
  refreshRegistryTags,
  registryDeleteTarget,
} from './inventory.js';
import type { GatheredInventory, RefreshedInventory, RetentionDeleteGuard, RetentionDeleteTarget } from './inventory.js';

/**
 * The retention port: how a cleanup reads one repository, reads it again just before deleting, and
 * deletes from it. Chosen once, before the cleanup runs (like regclient's `scheme`): the generic OCI
 * registry ({@link registryRetentionBackend}) or GHCR's Packages API ({@link ghcrRetentionBackend}).
 */
export interface RetentionBackend {
  /** For messages, e.g. `registry.example.com/app` or `GHCR package acme/app`. */
  readonly name: string;
  /** The progress line printed before reading, e.g. `Reading the tags of registry.example.com/app`. */
  readonly reading: string;
  /**
   * Reads the repository for the planner.
   *
   * @param options - `needsCreated`: whether a tag's creation time is needed (false saves a config read);
   *   `readUntagged`: read untagged manifests too (needed before untagged manifests are deleted).
   * @throws {@link RegistryError} or {@link GitHubError} when the repository cannot be listed.
   */
  gather(options: { needsCreated: (tag: string) => boolean; readUntagged: boolean }): Promise<GatheredInventory>;
  /**
   * Adds the referrers of digests a first plan deletes, when the backend finds them separately (the
   * referrers API); absent when {@link RetentionBackend.gather} already found every referrer.
   */
  withReferrers?(inventory: RetentionInventory, digests: readonly string[]): Promise<GatheredInventory>;
  /**
   * Reads the tags again just before deleting and returns where deletions go. A backend whose delete
   * target re-reads each manifest's tags right before its delete ({@link RetentionDeleteGuard.tagsOf})
   * may return the inventory as it is, without a request.
   *
   * @param inventory - the inventory the plan was made from.
   * @param plan - the plan about to be carried out (its protected tags are resolved again).
   */
  refresh(inventory: RetentionInventory, plan: RetentionPlan): Promise<RefreshedInventory & { target: RetentionDeleteTarget }>;
}

/**
 * The retention backend of any OCI registry through the distribution API: reads with
 * {@link gatherRegistryInventory} and {@link gatherReferrers}, re-reads with {@link refreshRegistryTags}
 * (protected tags resolved again: a rollback or a promotion may have moved one onto an old build), deletes
 * with {@link registryDeleteTarget}.
 *
 * @param options - the registry client and the repository.
 * @returns the backend; makes no request until called.
 */
export function registryRetentionBackend(options: { client: RegistryClient; repo: RepositoryReference }): RetentionBackend {
  const { client, repo } = options;
  const name = `${repo.registry}/${repo.repository}`;
  const target = registryDeleteTarget(client, repo);
  return {
    name,
    reading: `Reading the tags of ${name}`,
    gather: ({ needsCreated }) => gatherRegistryInventory({ client, repo, needsCreated }),
    withReferrers: (inventory, digests) => gatherReferrers(client, repo, inventory, digests),
    async refresh(inventory, plan) {
      const recheck = plan.keep.filter((entry) => entry.rule === 'protect' && entry.tag !== undefined).map((entry) => entry.tag as string);
      return { ...(await refreshRegistryTags(client, repo, inventory, { recheck })), target };
    },
  };
}

/**
 * The retention backend of GHCR through the GitHub Packages REST API (GHCR's distribution endpoint does
 * not delete): reads with {@link gatherGhcrInventory} (the version listing, 100 per page, gives every tag,
 * digest and creation time at once), deletes package versions with {@link ghcrDeleteTarget}. Right before
 * each delete it reads that one version again (`GET` by id: the tags on it now) and stops when a tag the
 * plan keeps has moved onto it; after the last delete it lists the versions once more and reports a kept
 * tag that went missing (this backend cannot put a tag back). The package is the repository after its
 * owner (`ghcr.io/acme/tools/app` is package `tools/app` of `acme`).
 *
 * Packages API requests: `pages` (the listing) + 2 × `deletes` (the re-read and the `DELETE`) + `pages`
 * again after the deletions (none in a dry run or when nothing goes); registry reads: 1 manifest per tagged
 * version (legacy cosign tags excepted), +1 per untagged version with `deleteUntagged`, for index children
 * and referrers.
 *
 * @param options - the Packages API, the registry client (manifests are read through `ghcr.io`) and the repository.
 * @returns the backend; makes no request until called.
 */
export function ghcrRetentionBackend(options: {
  github: Pick<GitHubClient, 'listPackageVersions' | 'getPackageVersion' | 'deletePackageVersion'>;
  client: Pick<RegistryClient, 'getManifest'>;
  repo: RepositoryReference;
}): RetentionBackend {
  const { github, client, repo } = options;
  const [login = '', ...rest] = repo.repository.split('/');
  const packageName = rest.join('/');
  let gathered: { owner: PackageOwner; versions: PackageVersion[] } | undefined;
  /** The re-reads around the deletes: one version by id before each; one listing after the last. */
  const ghcrGuard = (found: PackageOwner, versions: readonly PackageVersion[]): RetentionDeleteGuard => {
    const idOf = new Map(versions.map((version) => [version.digest, version.id]));
    let latest = new Map<string, string>();
    const tagsOf = async (digest: string): Promise<string[] | undefined> => {
      const id = idOf.get(digest);
      if (id === undefined) return undefined;
      const version = await github.getPackageVersion(found, packageName, id);
      return version?.tags;
    };
    return {
      listTags: async () => {
        const listed = await github.listPackageVersions(found, packageName);
        latest = new Map(listed.flatMap((version) => version.tags.map((tag): [string, string] => [tag, version.digest])));
        return [...latest.keys()];
      },
      resolveTags: async (tags) => new Map(tags.flatMap((tag): Array<[string, string]> => (latest.has(tag) ? [[tag, latest.get(tag) as string]] : []))),
      exists: async (digest) => (await tagsOf(digest)) !== undefined,
      tagsOf,
    };
  };
  return {
    name: `GHCR package ${login}/${packageName}`,
    reading: `Reading the versions of GHCR package ${login}/${packageName}`,
    async gather({ readUntagged }) {
      const result = await gatherGhcrInventory({ github, owner: login, packageName, client, repo, readUntagged });
      gathered = { owner: result.owner, versions: result.versions };
      return result;
    },
    async refresh(inventory) {
      // No second listing: each delete re-reads its own version right before it (see ghcrGuard), which
      // sees a tag moved onto it later than any listing made now could.
      const found = gathered?.owner ?? { org: login };
      const versions = gathered?.versions ?? (await github.listPackageVersions(found, packageName));
      return { inventory, changed: [], target: { ...ghcrDeleteTarget(github, found, packageName, versions), guard: ghcrGuard(found, versions) } };
    },
  };
}
