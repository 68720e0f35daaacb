/**
 * Which tags a build gets, and why. Pure: the registry's tags, the ref and the clock are passed
 * in as data; the result is a plan with a reason per tag and warnings for the caller to log.
 *
 * @packageDocumentation
 */
import { ConfigurationError } from '../errors.js';
import { isAbbreviatedCommitSha } from '../grammar/commit-sha.js';
import { classifyBuild } from '../semver/refs.js';
import type { RefClassification, RefContext, RefKind } from '../semver/refs.js';
import { compareVersions, imageTagOfVersion, versionOfTag } from '../semver/version.js';
import type { ReleaseVersion } from '../semver/version.js';
import { renderStamp, validateStampTemplate } from './stamp.js';
import { isOciTag, sanitizeBranchTag } from './tag-grammar.js';

/** Which floating tags a stable release may move. */
export interface FloatingTagOptions {
  /** `X` (e.g. `1`): the newest release of major X. */
  readonly major: boolean;
  /** `X.Y` (e.g. `1.2`): the newest patch of X.Y. */
  readonly minor: boolean;
  /** `latest`: the highest stable version in the repository. */
  readonly latest: boolean;
}

/** The input of {@link computeTags}. */
export interface TagPolicyInput {
  /**
   * The ref, commit and event the build runs for. A `pull_request` or `pull_request_target`
   * event makes it a pull request build whatever the ref is (see {@link classifyBuild}).
   */
  readonly ref: RefContext;
  /**
   * The tags the repository already holds (its tag list, as data; may be empty). Version tags are
   * compared as versions with or without `v`; other tags (`latest`, `sha-…`, `staging`) are ignored.
   */
  readonly existingTags: readonly string[];
  /** Which floating tags are wanted for a stable release. */
  readonly floating: FloatingTagOptions;
  /**
   * Branch name → tag, e.g. `{ main: 'staging' }`. A mapped branch gets the mapped tag instead of
   * its sanitized name. Keys are exact branch names (without `refs/heads/`).
   */
  readonly branchTags: Readonly<Record<string, string>>;
  /** Optional stamp template, e.g. `prod-{date}-{sha}` (see {@link validateStampTemplate}). */
  readonly stamp?: string;
  /** Give `sha-<7 hex>` (any kind of ref). */
  readonly shaTag: boolean;
  /**
   * Prefix of version tags in the image repository: `''` (`1.2.3`, `1.2`, `1`), `'v'`
   * (`v1.2.3`, `v1.2`, `v1`) or another prefix (`api-1.2.3`). `latest` is never prefixed.
   */
  readonly tagPrefix: string;
  /**
   * Compare with `existingTags` before moving floating tags. When false, every enabled floating
   * tag is given to a stable release (and a warning says so).
   */
  readonly registryAware: boolean;
  /** The build time, for stamp tags. */
  readonly now: Date;
}

/** One tag considered for the build, whether it is given, and why. */
export interface TagDecision {
  /** The image tag. */
  readonly tag: string;
  /** True when the build gets this tag. */
  readonly given: boolean;
  /** Why, e.g. `1 withheld: 1.3.0 is higher in major 1`. */
  readonly reason: string;
}

/** The result of {@link computeTags}. */
export interface TagPlan {
  /** The kind of ref the build runs for. */
  readonly kind: RefKind;
  /**
   * The release version (SemVer 2.0, no prefix, build metadata kept as in the git tag, e.g.
   * `1.2.3+build.5`); set for a release. Its image tag has no build metadata (`1.2.3`).
   */
  readonly version?: string;
  /** True for a pre-release ({@link https://semver.org/#spec-item-9 | SemVer §9}). */
  readonly isPrerelease: boolean;
  /**
   * True when this is a stable release and the highest stable version in the repository (or
   * taken to be, when registry-aware tagging is off); independent of `floating.latest`.
   */
  readonly isLatest: boolean;
  /** The tags to give, without duplicates, in the order: version, floating, ref, sha, stamp. */
  readonly tags: string[];
  /** Every tag considered, given or withheld, with its reason. */
  readonly decisions: TagDecision[];
  /** Things the user should know (e.g. registry-aware tagging is off); for the caller to log. */
  readonly warnings: string[];
}

/** Alias of {@link TagPolicyInput}, named after {@link computeTags}. */
export type ComputeTagsInput = TagPolicyInput;

/** Alias of {@link TagPlan}, named after {@link computeTags}. */
export type ComputeTagsResult = TagPlan;

const SPEC_PRERELEASE = 'https://semver.org/#spec-item-9';

function inputError(what: string, problem: string): ConfigurationError {
  return new ConfigurationError('INVALID_INPUT', `compute tags ${what}: ${problem}`);
}

function validate(input: TagPolicyInput): { classification: RefClassification; needsSha: boolean } {
  const classification = classifyBuild(input.ref);
  if (input.tagPrefix !== '' && !/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,99}$/.test(input.tagPrefix)) {
    throw inputError(
      `tag prefix ${JSON.stringify(input.tagPrefix)}`,
      'must be empty or start with [a-zA-Z0-9_] followed by [a-zA-Z0-9._-], at most 100 characters (OCI tag grammar)',
    );
  }
  for (const [branch, tag] of Object.entries(input.branchTags)) {
    if (branch === '') throw inputError('branch tag mapping', 'a branch name is empty');
    if (!isOciTag(tag)) {
      throw inputError(
        `branch tag mapping ${JSON.stringify(branch)} => ${JSON.stringify(tag)}`,
        'the tag is outside the OCI tag grammar [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}',
      );
    }
  }
  let stampUsesSha = false;
  if (input.stamp !== undefined) stampUsesSha = validateStampTemplate(input.stamp).placeholders.includes('sha');
  const needsSha = input.shaTag || stampUsesSha;
  if (needsSha && !isAbbreviatedCommitSha(input.ref.sha.toLowerCase())) {
    throw inputError(`commit SHA ${JSON.stringify(input.ref.sha)}`, 'is not 7 to 64 hexadecimal digits');
  }
  return { classification, needsSha };
}

/** Tags that a branch or git tag name must not take over: they belong to the release rules. */
function reservedTagProblem(tag: string, tagPrefix: string): string | undefined {
  if (tag === 'latest') return 'it would move latest';
  const unprefixed = tagPrefix !== '' && tag.startsWith(tagPrefix) ? [tag, tag.slice(tagPrefix.length)] : [tag];
  if (unprefixed.some((t) => versionOfTag(t) !== undefined || /^v?[0-9]+(\.[0-9]+)?$/.test(t))) {
    return 'it would collide with a version tag';
  }
  if (/^sha-[0-9a-f]{7}$/.test(tag)) return 'it would collide with a commit tag';
  if (/^pr-[0-9]+$/.test(tag)) return 'it would collide with a pull request tag';
  return undefined;
}

/**
 * Computes the tags a build gets, with a reason for each tag given or withheld.
 *
 * For a stable release X.Y.Z (SemVer 2.0, {@link https://semver.org/#spec-item-11 | §11 precedence}):
 * - `X.Y.Z`: always (also when the registry already holds it: a re-run is idempotent).
 * - `X.Y`: only if no higher patch of X.Y exists in the registry.
 * - `X`: only if no higher X.*.* exists; never for major 0
 *   ({@link https://semver.org/#spec-item-4 | §4}: initial development).
 * - `latest`: only if X.Y.Z is the highest stable version in the registry.
 *
 * Pre-releases in the registry never block and never count
 * ({@link https://semver.org/#spec-item-9 | §9}); a pre-release build gets only its own tag.
 * Build metadata ({@link https://semver.org/#spec-item-10 | §10}) is ignored: `1.2.3+build.5`
 * is release 1.2.3, published as `1.2.3` (see {@link imageTagOfVersion}), and its floating
 * tags are decided by precedence as for `1.2.3`. With `registryAware: false` the registry is not consulted: every
 * enabled floating tag is given, and a warning says so.
 *
 * A branch gets its name mapped through `branchTags` or sanitized to the
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI tag grammar}
 * (`feature/x` → `feature-x`); a sanitized name that would take over `latest`, a version,
 * `sha-…` or `pr-…` tag is withheld with a warning. A pull request gets `pr-N`; a git tag that is
 * not a version gets its (sanitized) name.
 *
 * A pull request gets `pr-N` — also with `pull_request_target`, whose ref is the base branch —
 * and never a branch tag, a `branchTags` mapping or a stamp tag: a pull request's code (maybe
 * from a fork) must not take a tag a deployment follows. Any build gets `sha-<7 hex>` when
 * `shaTag`; any other build gets a stamp tag when `stamp` is set.
 *
 * Every tag given matches the OCI tag grammar `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
 *
 * @param input - see {@link TagPolicyInput}.
 * @returns the plan: tags to give, every decision with its reason, warnings.
 * @throws {@link ConfigurationError} (`INVALID_INPUT`) before anything is computed, for a
 *   malformed ref, tag prefix, branch mapping, stamp template or commit SHA, or a version tag
 *   longer than the OCI tag grammar allows.
 * @example
 * ```ts
 * const plan = computeTags({
 *   ref: { ref: 'refs/tags/v1.2.1', sha: 'abc1234def5678abc1234def5678abc1234def56' },
 *   existingTags: ['1.2.0', '1.3.0', 'latest'],
 *   floating: { major: true, minor: true, latest: true },
 *   branchTags: {}, shaTag: false, tagPrefix: '', registryAware: true, now: new Date(),
 * });
 * plan.tags; // ['1.2.1', '1.2']
 * plan.decisions.find((d) => d.tag === 'latest')?.reason; // 'latest stays on 1.3.0: 1.2.1 is a backport'
 * ```
 */
export function computeTags(input: TagPolicyInput): TagPlan {
  const { classification } = validate(input);
  const decisions: TagDecision[] = [];
  const warnings: string[] = [];
  const give = (tag: string, reason: string): void => {
    decisions.push({ tag, given: true, reason });
  };
  const withhold = (tag: string, reason: string): void => {
    decisions.push({ tag, given: false, reason });
  };

  let version: ReleaseVersion | undefined;
  let isLatest = false;
  let versionTagForStamp: string | undefined;

  switch (classification.kind) {
    case 'release': {
      version = classification.version;
      versionTagForStamp = imageTagOfVersion(version);
      isLatest = releaseTags(input, version, give, withhold, warnings);
      break;
    }
    case 'tag': {
      const tag = sanitizeBranchTag(classification.tagName);
      const problem = tag === '' ? 'nothing of its name is allowed in an image tag' : reservedTagProblem(tag, input.tagPrefix);
      if (problem === undefined) {
        give(tag, `${tag} given: git tag ${classification.tagName} is not a SemVer 2.0 version, so no version or floating tags`);
      } else {
        withhold(tag || classification.tagName, `${tag || classification.tagName} withheld: git tag ${classification.tagName}: ${problem}`);
        warnings.push(`git tag ${classification.tagName} is not a SemVer 2.0 version and its name cannot be an image tag: ${problem}`);
      }
      break;
    }
    case 'branch': {
      const mapped = Object.hasOwn(input.branchTags, classification.branch)
        ? input.branchTags[classification.branch]
        : undefined;
      if (mapped !== undefined) {
        give(mapped, `${mapped} given: branch ${classification.branch} is mapped to ${mapped}`);
        break;
      }
      const tag = sanitizeBranchTag(classification.branch);
      const problem = tag === '' ? 'nothing of its name is allowed in an image tag' : reservedTagProblem(tag, input.tagPrefix);
      if (problem !== undefined) {
        const shown = tag || classification.branch;
        withhold(shown, `${shown} withheld: branch ${classification.branch}: ${problem}; map it in branch tags`);
        warnings.push(`branch ${classification.branch} gets no branch tag: ${problem}; map it to a tag in branch tags`);
      } else if (tag !== classification.branch) {
        give(tag, `${tag} given: branch ${classification.branch}, sanitized to the OCI tag grammar`);
      } else {
        give(tag, `${tag} given: branch ${classification.branch}`);
      }
      break;
    }
    case 'pull-request': {
      const tag = `pr-${classification.prNumber}`;
      const event = input.ref.event;
      const via = event !== undefined && !input.ref.ref.startsWith('refs/pull/')
        ? ` (${event.name} event; its ref ${input.ref.ref} is the base branch, which gets no tag)`
        : '';
      give(tag, `${tag} given: pull request #${classification.prNumber}${via}`);
      break;
    }
    case 'other': {
      warnings.push(`ref ${classification.ref} is not a release, tag, branch or pull request: no ref tag is given`);
      break;
    }
  }

  if (input.shaTag) {
    const short = input.ref.sha.slice(0, 7).toLowerCase();
    give(`sha-${short}`, `sha-${short} given: commit ${short}`);
  }

  if (input.stamp !== undefined && classification.kind === 'pull-request') {
    withhold(input.stamp, `${input.stamp} withheld: a pull request build gets no stamp tag`);
  } else if (input.stamp !== undefined) {
    const usesVersion = validateStampTemplate(input.stamp).placeholders.includes('version');
    if (usesVersion && versionTagForStamp === undefined) {
      withhold(input.stamp, `${input.stamp} withheld: the stamp template uses {version} and this build is not a release`);
      warnings.push(`stamp template ${input.stamp} uses {version}, but ${input.ref.ref} is not a release: no stamp tag`);
    } else {
      const tag = renderStamp(input.stamp, {
        now: input.now,
        sha: input.ref.sha,
        ...(versionTagForStamp !== undefined ? { version: versionTagForStamp } : {}),
      });
      give(tag, `${tag} given: stamp template ${input.stamp}`);
    }
  }

  const tags: string[] = [];
  for (const d of decisions) {
    if (d.given && !tags.includes(d.tag)) tags.push(d.tag);
  }
  return {
    kind: classification.kind,
    ...(version !== undefined ? { version: version.version } : {}),
    isPrerelease: version?.isPrerelease ?? false,
    isLatest,
    tags,
    decisions,
    warnings,
  };
}

/** Decides the version and floating tags of a release; returns whether it is the latest stable. */
function releaseTags(
  input: TagPolicyInput,
  version: ReleaseVersion,
  give: (tag: string, reason: string) => void,
  withhold: (tag: string, reason: string) => void,
  warnings: string[],
): boolean {
  const prefix = input.tagPrefix;
  const own = imageTagOfVersion(version, prefix);
  if (!isOciTag(own)) {
    throw inputError(
      `version tag ${JSON.stringify(own)}`,
      'is outside the OCI tag grammar [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127} (too long)',
    );
  }
  const minorTag = `${prefix}${version.major}.${version.minor}`;
  const majorTag = `${prefix}${version.major}`;
  const shown = version.version;

  const existing = input.registryAware
    ? input.existingTags.map((tag) => versionOfTag(tag, prefix)).filter((v): v is ReleaseVersion => v !== undefined)
    : [];
  const alreadyThere = existing.some((v) => compareVersions(v, version) === 0);

  const ownReason = version.isPrerelease ? 'the pre-release version' : 'the release version';
  const details: string[] = [];
  if (version.build.length > 0) details.push(`build metadata +${version.build.join('.')} is not part of the tag (SemVer 2.0 §10)`);
  if (alreadyThere) details.push('already in the registry: re-tagging is idempotent');
  give(own, `${own} given: ${ownReason}${details.length > 0 ? ` (${details.join('; ')})` : ''}`);

  const floating: Array<[boolean, string, string]> = [
    [input.floating.minor, minorTag, 'minor'],
    [input.floating.major, majorTag, 'major'],
    [input.floating.latest, 'latest', 'latest'],
  ];

  if (version.isPrerelease) {
    for (const [enabled, tag] of floating) {
      if (enabled) withhold(tag, `${tag} withheld: ${shown} is a pre-release (SemVer 2.0 §9, ${SPEC_PRERELEASE})`);
    }
    return false;
  }

  const stable = existing.filter((v) => !v.isPrerelease);
  const highest = (candidates: ReleaseVersion[]): ReleaseVersion | undefined =>
    candidates.reduce<ReleaseVersion | undefined>(
      (max, v) => (compareVersions(v, version) > 0 && (max === undefined || compareVersions(v, max) > 0) ? v : max),
      undefined,
    );
  const higherInMinor = highest(stable.filter((v) => v.major === version.major && v.minor === version.minor));
  const higherInMajor = highest(stable.filter((v) => v.major === version.major));
  const higherAnywhere = highest(stable);
  const isLatest = higherAnywhere === undefined;

  if (!input.registryAware) {
    const enabled = floating.filter(([on, , kind]) => on && !(kind === 'major' && version.major === 0)).map(([, tag]) => tag);
    if (enabled.length > 0) {
      warnings.push(
        `registry-aware tagging is off: ${enabled.join(', ')} computed from the ref alone; they move backwards if ${shown} is a backport`,
      );
    }
  }
  const offline = 'computed from the ref alone (registry-aware tagging is off)';

  if (input.floating.minor) {
    if (!input.registryAware) give(minorTag, `${minorTag} given: ${offline}`);
    else if (higherInMinor) withhold(minorTag, `${minorTag} withheld: ${higherInMinor.version} is higher in ${version.major}.${version.minor}`);
    else give(minorTag, `${minorTag} given: highest patch of ${version.major}.${version.minor}`);
  } else {
    withhold(minorTag, `${minorTag} not requested: floating minor tags are off`);
  }

  if (input.floating.major) {
    if (version.major === 0) {
      withhold(majorTag, `${majorTag} withheld: major version zero is for initial development (SemVer 2.0 §4, https://semver.org/#spec-item-4)`);
    } else if (!input.registryAware) give(majorTag, `${majorTag} given: ${offline}`);
    else if (higherInMajor) withhold(majorTag, `${majorTag} withheld: ${higherInMajor.version} is higher in major ${version.major}`);
    else give(majorTag, `${majorTag} given: highest version in major ${version.major}`);
  } else {
    withhold(majorTag, `${majorTag} not requested: floating major tags are off`);
  }

  if (input.floating.latest) {
    if (!input.registryAware) give('latest', `latest given: ${offline}`);
    else if (higherAnywhere) withhold('latest', `latest stays on ${higherAnywhere.version}: ${shown} is a backport`);
    else if (stable.length === 0) give('latest', `latest given: ${shown} is the first stable release in the registry`);
    else give('latest', `latest given: ${shown} is the highest stable version`);
  } else {
    withhold('latest', 'latest not requested: the latest tag is off');
  }
  return isLatest;
}
