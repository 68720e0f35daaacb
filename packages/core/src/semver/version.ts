/**
 * Versions as tagwright reads them from git tags and image tags: strict SemVer 2.0
 * ({@link https://semver.org/#spec-item-2 | §2}) with an optional `v` and an optional prefix.
 *
 * Pure: no I/O, no clock, no env.
 *
 * @packageDocumentation
 */
import { compare, parse } from 'semver';

/**
 * A parsed SemVer 2.0 version.
 *
 * `version` is the canonical SemVer string without any prefix and with build metadata
 * (`1.2.3-rc.1+build.5`). Precedence ignores build metadata
 * ({@link https://semver.org/#spec-item-10 | SemVer §10}), so `1.2.3+build.5` and `1.2.3`
 * compare equal.
 */
export interface ReleaseVersion {
  /** Canonical SemVer 2.0 string, no prefix, build metadata kept: `1.2.3-rc.1+build.5`. */
  readonly version: string;
  /** MAJOR ({@link https://semver.org/#spec-item-2 | §2}). */
  readonly major: number;
  /** MINOR. */
  readonly minor: number;
  /** PATCH. */
  readonly patch: number;
  /** Pre-release identifiers ({@link https://semver.org/#spec-item-9 | §9}); empty for a stable version. */
  readonly prerelease: ReadonlyArray<string | number>;
  /** Build metadata identifiers ({@link https://semver.org/#spec-item-10 | §10}); empty when none. */
  readonly build: readonly string[];
  /** True when `prerelease` is not empty. */
  readonly isPrerelease: boolean;
}

/** `MAJOR.MINOR.PATCH` with no pre-release or build, each a safe integer (at most 15 digits). */
const PLAIN_VERSION = /^(0|[1-9][0-9]{0,14})\.(0|[1-9][0-9]{0,14})\.(0|[1-9][0-9]{0,14})$/;

/**
 * Parses a strict SemVer 2.0 string (no `v`, no prefix, no surrounding spaces).
 *
 * Leading zeros, missing parts (`1.2`) and empty identifiers (`1.2.3-rc..1`) are refused as
 * SemVer 2.0 requires ({@link https://semver.org/#spec-item-2 | §2},
 * {@link https://semver.org/#spec-item-9 | §9}).
 *
 * @param text - e.g. `1.2.3`, `1.2.3-rc.1`, `1.2.3+build.5`.
 * @returns the version, or `undefined` when `text` is not exactly a SemVer 2.0 version.
 */
export function parseStrictVersion(text: string): ReleaseVersion | undefined {
  if (text === '' || !/^[0-9]/.test(text)) return undefined;
  // The common `X.Y.Z` needs no identifier parsing; it is exactly what semver.parse would return
  // for it (safe integers only: at most 15 digits). Everything else goes through semver.
  const plain = PLAIN_VERSION.exec(text);
  if (plain) {
    return { version: text, major: Number(plain[1]), minor: Number(plain[2]), patch: Number(plain[3]), prerelease: [], build: [], isPrerelease: false };
  }
  const parsed = parse(text);
  if (!parsed) return undefined;
  const canonical = parsed.build.length > 0 ? `${parsed.version}+${parsed.build.join('.')}` : parsed.version;
  // `semver.parse` trims and tolerates a few extras; the canonical form must reproduce the input.
  if (canonical !== text) return undefined;
  return {
    version: canonical,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: [...parsed.prerelease],
    build: [...parsed.build],
    isPrerelease: parsed.prerelease.length > 0,
  };
}

/**
 * Reads the version out of a git tag name or an image tag: `v1.2.3` and `1.2.3` are the same
 * version, so that a registry holding `v1.3.0` is compared correctly with a release `1.2.9`.
 *
 * - Without `prefix` (or with `''` or `'v'`): `1.2.3` and `v1.2.3` are read.
 * - With another prefix (e.g. `api-`): only `api-1.2.3` and `api-v1.2.3` are read; a bare
 *   `1.2.3` belongs to something else and is not a version of this prefix.
 *
 * Non-version tags (`latest`, `sha-abc1234`, `staging`, `1.2`) give `undefined`: they never take
 * part in comparisons. An image tag holds no build metadata: a release `1.2.3+build.5` is
 * published as `1.2.3` (see {@link imageTagOfVersion}); an old `1.2.3-build.5` tag reads as a
 * pre-release of 1.2.3 and never counts for floating tags.
 *
 * @param tag - a git tag name (without `refs/tags/`) or an image tag.
 * @param prefix - the tag prefix, `''` by default.
 * @returns the version, or `undefined` when the tag is not a version (of this prefix).
 * @example
 * ```ts
 * versionOfTag('v1.2.3')?.version; // '1.2.3'
 * versionOfTag('latest'); // undefined
 * versionOfTag('api-v2.0.0', 'api-')?.major; // 2
 * ```
 */
export function versionOfTag(tag: string, prefix = ''): ReleaseVersion | undefined {
  let rest: string;
  if (prefix === '' || prefix === 'v') {
    rest = tag;
  } else {
    if (!tag.startsWith(prefix)) return undefined;
    rest = tag.slice(prefix.length);
  }
  if (rest.startsWith('v')) rest = rest.slice(1);
  return parseStrictVersion(rest);
}

/**
 * Compares two versions by SemVer 2.0 precedence ({@link https://semver.org/#spec-item-11 | §11}):
 * build metadata is ignored, a pre-release is lower than its release.
 *
 * @returns a negative number when `a < b`, 0 when equal in precedence, positive when `a > b`.
 */
export function compareVersions(a: ReleaseVersion, b: ReleaseVersion): number {
  // MAJOR.MINOR.PATCH compare numerically (§11.2); only a tie with a pre-release on either side
  // needs the identifier-by-identifier rules (§11.3, §11.4), which semver implements.
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0 || (!a.isPrerelease && !b.isPrerelease)) return core;
  return compare(a.version, b.version);
}

/**
 * Writes a version as an image tag: `prefix` + `MAJOR.MINOR.PATCH[-PRERELEASE]`, **without**
 * build metadata. SemVer 2.0 {@link https://semver.org/#spec-item-10 | §10}: build metadata
 * is ignored for precedence, so `1.2.3+build.5` is release 1.2.3 and is published as `1.2.3`,
 * as node-semver's `version` and docker/metadata-action's `{{version}}` spell it. (The
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI tag grammar}
 * has no `+`; writing it as `-` would make `1.2.3-build.5`, which reads back as a pre-release
 * of 1.2.3 and lets a later backport take the floating tags.)
 *
 * @param version - the version (or its canonical string).
 * @param prefix - `''` (default), `'v'` or another prefix.
 * @returns e.g. `1.2.3`, `v1.2.3`, `1.2.3-rc.1` (for `1.2.3-rc.1+build.5`).
 */
export function imageTagOfVersion(version: ReleaseVersion | string, prefix = ''): string {
  const text = typeof version === 'string' ? version : version.version;
  const plus = text.indexOf('+');
  return `${prefix}${plus === -1 ? text : text.slice(0, plus)}`;
}
