import pLimit from 'p-limit';
import { PolicyError } from '../errors.js';
import { downgradeMessage, findDowngrades, isFloatingVersionTag } from '../policy/downgrade.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { resolveDigestIfExists } from '../registry/resolve.js';
import { compareVersions, versionOfTag } from '../semver/version.js';

/**
 * Refuses a promotion that would move a floating version tag (`latest`, `X`, `X.Y`) to a lower
 * version than it holds ({@link findDowngrades}). Reads only: one tag listing, a HEAD of each
 * existing floating target and of each version tag higher than the source.
 *
 * @param client - the registry client.
 * @param destination - the repository the targets live in.
 * @param targets - the rendered target tags.
 * @param sourceVersion - the version promoted, as a version tag (`1.2.1`, `v1.2.1`).
 * @param operation - for the message, e.g. `promote ghcr.io/acme/app:1.2.1`.
 * @throws {@link PolicyError} `DOWNGRADE` naming each floating tag, the version it holds and the source version.
 * @throws {@link RegistryError} when a read fails (nothing is written either way).
 */
export async function refuseDowngrades(
  client: RegistryClient,
  destination: RepositoryReference,
  targets: readonly string[],
  sourceVersion: string,
  operation: string,
): Promise<void> {
  const source = versionOfTag(sourceVersion);
  const floating = targets.filter(isFloatingVersionTag);
  if (!source || floating.length === 0) return;
  const tags = await client.listTags(destination);
  const existing = floating.filter((tag) => tags.includes(tag));
  const higher = tags.filter((tag) => {
    const version = versionOfTag(tag);
    return version !== undefined && !isFloatingVersionTag(tag) && compareVersions(version, source) > 0;
  });
  if (existing.length === 0 || higher.length === 0) return;
  const limit = pLimit(4);
  const resolve = (tag: string): Promise<string | undefined> => limit(() => resolveDigestIfExists(client, { ...destination, tag }));
  const [floatingDigests, higherDigests] = await Promise.all([Promise.all(existing.map(resolve)), Promise.all(higher.map(resolve))]);
  const downgrades = findDowngrades({
    sourceVersion,
    targets: existing.map((tag, index) => ({
      tag,
      heldVersionTags: higher.filter((_, i) => floatingDigests[index] !== undefined && higherDigests[i] === floatingDigests[index]),
    })),
  });
  if (downgrades.length > 0) throw new PolicyError('DOWNGRADE', downgradeMessage(operation, downgrades));
}
