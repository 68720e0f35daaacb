/**
 * The downgrade guard of promote: a floating version tag (`latest`, `X`, `X.Y`) must not move to a
 * lower version than the one it holds, unless the user allows it. Pure: the caller reads which version
 * tags share each target's current digest.
 *
 * @packageDocumentation
 */
import { compareVersions, versionOfTag } from '../semver/version.js';

/**
 * A floating version tag: `latest`, or a SemVer 2.0 major (`1`, `v1`) or major.minor (`1.2`, `v1.2`)
 * that follows the newest release of its line.
 *
 * @param tag - an image tag.
 * @returns true for `latest`, `X`, `X.Y` (with an optional `v`).
 */
export function isFloatingVersionTag(tag: string): boolean {
  return tag === 'latest' || /^v?(0|[1-9][0-9]{0,14})(\.(0|[1-9][0-9]{0,14}))?$/.test(tag);
}

/** One target tag of a promotion, as read before any write. */
export interface DowngradeTarget {
  /** The target tag. */
  readonly tag: string;
  /**
   * The version tags of the repository that point at the target's current digest (e.g. `1.3.0`,
   * `v1.3.0`); empty when the tag does not exist or no version tag shares its digest.
   */
  readonly heldVersionTags: readonly string[];
}

/** A floating tag the promotion would move to a lower version. */
export interface Downgrade {
  /** The floating target tag, e.g. `latest`. */
  readonly tag: string;
  /** The highest version it holds now, as tagged, e.g. `1.3.0`. */
  readonly holds: string;
  /** The version being promoted, as given, e.g. `1.2.1`. */
  readonly to: string;
}

/**
 * The floating targets a promotion of `sourceVersion` would move down: those whose current digest
 * carries a version tag higher (SemVer 2.0 precedence, {@link https://semver.org/#spec-item-11 | §11})
 * than the source. Non-floating targets (`1.2.1`, `prod`, stamps) are never downgrades.
 *
 * @param input - the source version (a version tag such as `1.2.1` or `v1.2.1`) and the targets.
 * @returns every downgrade, in target order; empty when the source is not a version.
 * @example
 * ```ts
 * findDowngrades({ sourceVersion: '1.2.1', targets: [{ tag: 'latest', heldVersionTags: ['1.3.0'] }] });
 * // [{ tag: 'latest', holds: '1.3.0', to: '1.2.1' }]
 * ```
 */
export function findDowngrades(input: { sourceVersion: string; targets: readonly DowngradeTarget[] }): Downgrade[] {
  const source = versionOfTag(input.sourceVersion);
  if (!source) return [];
  const downgrades: Downgrade[] = [];
  for (const target of input.targets) {
    if (!isFloatingVersionTag(target.tag)) continue;
    let highest: { tag: string; version: NonNullable<ReturnType<typeof versionOfTag>> } | undefined;
    for (const tag of target.heldVersionTags) {
      const version = versionOfTag(tag);
      if (version && (!highest || compareVersions(version, highest.version) > 0)) highest = { tag, version };
    }
    if (highest && compareVersions(source, highest.version) < 0) downgrades.push({ tag: target.tag, holds: highest.tag, to: input.sourceVersion });
  }
  return downgrades;
}

/**
 * The refusal message for {@link findDowngrades}' result: `<operation>: would move latest from 1.3.0
 * down to 1.2.1; …; nothing was moved`.
 *
 * @param operation - e.g. `promote ghcr.io/acme/app:1.2.1`.
 * @param downgrades - non-empty.
 * @returns the message of the `DOWNGRADE` PolicyError.
 */
export function downgradeMessage(operation: string, downgrades: readonly Downgrade[]): string {
  const moves = downgrades.map((d) => `${d.tag} from ${d.holds} down to ${d.to}`).join(', ');
  return `${operation}: would move ${moves} (a floating tag goes to a lower version); set allow-downgrade: true if this is intended; nothing was moved`;
}
