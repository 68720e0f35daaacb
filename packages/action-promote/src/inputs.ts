import {
  getBooleanInput,
  getListInput,
  getOptionalInput,
  getRequiredInput,
  namedInput,
  readRegistryInputs,
  readReleaseInputs,
  readVerificationInputs,
} from '@tagwright/action-kit';
import type { RegistryInputs, ReleaseInputs, VerificationInputs } from '@tagwright/action-kit';
import { changelogPaths } from '@tagwright/core/changelog';
import { ConfigurationError, errorMessage } from '@tagwright/core/errors';
import { expandVersionPattern, isVersionPattern, renderStamp, validateStampTemplate } from '@tagwright/core/policy';
import type { SetSource } from '@tagwright/core/promote';
import { formatReference, parseRepository, validateDigest, validateTag } from '@tagwright/core/registry';
import type { ImageReference, RepositoryReference } from '@tagwright/core/registry';
import { versionOfTag } from '@tagwright/core/semver';
import { isAbbreviatedCommitSha, isRepositoryPath, normalizeCommitSha } from '@tagwright/core/grammar';

/** The validated inputs of promote. */
export interface Inputs {
  source: ImageReference;
  destination: RepositoryReference;
  /** Target tags or stamp templates as given; rendered in run(). */
  targets: string[];
  /**
   * The `sha` input, lowercase; undefined when empty: then `{sha}` and the release's target commit
   * come from the source image's `org.opencontainers.image.revision`, else the workflow's commit.
   */
  sha?: string;
  dryRun: boolean;
  /** Bring the legacy `.sig` signature and bundle referrers along to another repository. */
  copySignatures: boolean;
  verification: VerificationInputs;
  release: ReleaseInputs;
  /**
   * The version the GitHub release is for, spelled as given (`1.4.0` or `v1.4.0`): the `version`
   * input, else the source tag when it is a version. Set whenever a release is requested.
   */
  releaseVersion?: string;
  /**
   * `release-tag`: a stamp template (`prod-{date}-{sha}`) naming the release instead of a SemVer
   * version, for services without versions; rendered in run() with the promotion's time and built commit.
   */
  releaseTag?: string;
  /** The version promoted (`version` input, else the source tag when it is a version); for the downgrade guard. */
  sourceVersion?: string;
  /** Allow a floating version tag to move to a lower version. */
  allowDowngrade: boolean;
  registry: RegistryInputs;
  /**
   * A release set (`images`, or a version-pattern / digest-map `source`): every image promoted as one
   * by core's `promoteSet`; undefined for the single-image path.
   */
  set?: { images: RepositoryReference[]; source: SetSource };
  /** Two-phase gates checked before any write (`require-release`, `require-release-prerelease`, `require-final-changelog`). */
  gates: { requireRelease?: { template: string; prerelease: boolean }; changelogFinal?: boolean };
}

/** Reads and validates every input; throws ConfigurationError naming the input before any request. */
export function readInputs(): Inputs {
  const imageInput = getOptionalInput('image');
  const imagesInput = getListInput('images');
  if ((imageInput === undefined) === (imagesInput.length === 0)) {
    throw new ConfigurationError(
      imageInput === undefined ? 'MISSING_INPUT' : 'INVALID_INPUT',
      imageInput === undefined
        ? 'read input image: give image (one repository) or images (a release set, newline- or comma-separated)'
        : 'read input images: give image or images, not both',
    );
  }
  const images = imagesInput.length > 0 ? imagesInput.map((one) => namedInput('images', 'ghcr.io/acme/app', () => parseRepository(one))) : [namedInput('image', 'ghcr.io/acme/app', () => parseRepository(imageInput as string))];
  const image = images[0] as RepositoryReference;
  const sourceInput = getRequiredInput('source');
  const source: ImageReference = { ...image };
  const set = readSetSource(images, sourceInput, imagesInput.length > 0);
  if (set) {
    if (set.source.kind === 'tag') source.tag = set.source.tag;
  } else {
    namedInput('source', '1.4.0, or sha256: and 64 hex digits', () => {
      if (sourceInput.includes(':')) source.digest = validateDigest(sourceInput);
      else source.tag = validateTag(sourceInput);
    });
  }
  const destinationInput = getOptionalInput('destination');
  if (set && destinationInput !== undefined) {
    throw new ConfigurationError('INVALID_INPUT', 'read input destination: a release set (images, or a version-pattern source) is promoted within each image\'s own repository; leave destination empty');
  }
  const destination =
    destinationInput === undefined ? image : namedInput('destination', 'ghcr.io/acme/app-prod', () => parseRepository(destinationInput));
  const targets = getListInput('targets');
  if (targets.length === 0) throw new ConfigurationError('MISSING_INPUT', 'read input targets: give at least one target tag, e.g. prod');
  for (const target of targets) {
    namedInput('targets', 'prod, or the stamp prod-{date}-{sha}', () => {
      if (target.includes('{')) validateStampTemplate(target);
      else validateTag(target);
    });
  }
  const sha = getOptionalInput('sha');
  if (sha !== undefined && !isAbbreviatedCommitSha(normalizeCommitSha(sha))) {
    throw new ConfigurationError('INVALID_INPUT', `read input sha: ${JSON.stringify(sha)} is not a commit SHA; e.g. 4f1c2d3 or the full 40 hex digits, or empty for the image's revision label`);
  }
  const release = readReleaseInputs();
  const releaseTag = readReleaseTag(release);
  const releaseVersion = releaseTag === undefined ? checkRelease(release, source) : undefined;
  const sourceVersion = release.version ?? (source.tag !== undefined && versionOfTag(source.tag) ? source.tag : undefined);
  const gates = readGates(release);
  if (releaseTag !== undefined && gates.requireRelease?.template.includes('{version}')) {
    throw new ConfigurationError('INVALID_INPUT', 'read input require-release: {version} has no value with release-tag (a release without a version); name the release itself, e.g. smoke');
  }
  return {
    source,
    destination,
    targets,
    ...(sha !== undefined ? { sha: normalizeCommitSha(sha) } : {}),
    dryRun: getBooleanInput('dry-run', false),
    copySignatures: getBooleanInput('copy-signatures', true),
    verification: readVerificationInputs(),
    release,
    ...(releaseVersion !== undefined ? { releaseVersion } : {}),
    ...(releaseTag !== undefined ? { releaseTag } : {}),
    ...(sourceVersion !== undefined ? { sourceVersion } : {}),
    allowDowngrade: getBooleanInput('allow-downgrade', false),
    registry: readRegistryInputs(),
    ...(set ? { set } : {}),
    gates,
  };
}

/**
 * `release-tag`: a stamp template naming the release (`prod-{date}-{sha}`); needs a release, and
 * notes that need no version (`commits` or `none`).
 */
function readReleaseTag(release: ReleaseInputs): string | undefined {
  const template = getOptionalInput('release-tag');
  if (template === undefined) return undefined;
  const info = namedInput('release-tag', 'prod-{date}-{sha}', () => validateStampTemplate(template));
  if (info.placeholders.includes('version')) {
    throw new ConfigurationError('INVALID_INPUT', 'read input release-tag: {version} is not available (release-tag names releases of builds without a version; give version instead), e.g. prod-{date}-{sha}');
  }
  namedInput('release-tag', 'prod-{date}-{sha}', () => renderStamp(template, { now: new Date(Date.UTC(2026, 0, 1)), sha: '0000000' }));
  if (release.mode === 'none' && !release.publishDraft) {
    throw new ConfigurationError('INVALID_INPUT', 'read input release-tag: it names a release; give release: draft or published, e.g. release: published');
  }
  if (release.mode === 'draft' && release.publishDraft) {
    throw new ConfigurationError('INVALID_INPUT', 'read input publish-draft: true publishes the existing draft after promotion, but release is draft; use release: published, or publish-draft: false');
  }
  if (release.notes.kind === 'changelog-file') {
    throw new ConfigurationError('INVALID_INPUT', `read input release-notes: changelog-file:${release.notes.template} needs a version, and release-tag names a release without one; use commits or none, e.g. release-notes: commits`);
  }
  return template;
}

/** The two-phase gates; each needs a release (`release` or `publish-draft`) to be checked against. */
function readGates(release: ReleaseInputs): Inputs['gates'] {
  const requireRelease = getOptionalInput('require-release');
  const prerelease = getBooleanInput('require-release-prerelease', false);
  const changelogFinal = getBooleanInput('require-final-changelog', false);
  const none = release.mode === 'none' && !release.publishDraft;
  for (const [name, given] of [['require-release', requireRelease !== undefined], ['require-final-changelog', changelogFinal]] as const) {
    if (given && none) throw new ConfigurationError('INVALID_INPUT', `read input ${name}: a gate of the release; give release: draft/published or publish-draft: true`);
  }
  if (prerelease && requireRelease === undefined) throw new ConfigurationError('INVALID_INPUT', 'read input require-release-prerelease: true needs require-release (e.g. {version}-smoke)');
  if (requireRelease !== undefined) {
    try {
      validateTag(requireRelease.replaceAll('{version}', '0.0.0'));
    } catch (error: unknown) {
      throw new ConfigurationError('INVALID_INPUT', `read input require-release: ${JSON.stringify(requireRelease)} is not a tag (or {version} template): ${errorMessage(error)}`, { cause: error });
    }
  }
  if (changelogFinal && release.notes.kind !== 'changelog-file') {
    throw new ConfigurationError('INVALID_INPUT', 'read input require-final-changelog: true needs release-notes: changelog-file:<path> (the changelog it checks)');
  }
  return { ...(requireRelease !== undefined ? { requireRelease: { template: requireRelease, prerelease } } : {}), ...(changelogFinal ? { changelogFinal } : {}) };
}

/**
 * The source of a release set: a version pattern (`1.5.0-staging.*`; a bare `staging.*` takes its base
 * from `source-base` or package.json later), a JSON map image → digest, or one tag every image holds.
 * Undefined for a single image with a plain tag or digest.
 */
function readSetSource(images: RepositoryReference[], sourceInput: string, listed: boolean): { images: RepositoryReference[]; source: SetSource } | undefined {
  if (sourceInput.startsWith('{')) {
    let map: unknown;
    try {
      map = JSON.parse(sourceInput);
    } catch (error: unknown) {
      throw new ConfigurationError('INVALID_INPUT', `read input source: not a JSON object of image → digest: ${errorMessage(error)}`, { cause: error });
    }
    if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new ConfigurationError('INVALID_INPUT', 'read input source: expected a JSON object of image → digest');
    const digests: Record<string, string> = {};
    for (const [key, value] of Object.entries(map)) {
      if (typeof value !== 'string') throw new ConfigurationError('INVALID_INPUT', `read input source: the digest of ${JSON.stringify(key)} is not a string`);
      digests[formatReference(parseRepository(key))] = validateDigest(value);
    }
    return { images, source: { kind: 'digests', digests } };
  }
  if (isVersionPattern(sourceInput)) {
    const base = getOptionalInput('source-base');
    if (base !== undefined && !/^v?\d+\.\d+\.\d+$/.test(base)) {
      throw new ConfigurationError('INVALID_INPUT', `read input source-base: ${JSON.stringify(base)} is not X.Y.Z (or vX.Y.Z)`);
    }
    try {
      // A bare pattern is checked once its base is known (package.json is read in run()).
      if (/^\d/.test(sourceInput) || base !== undefined) expandVersionPattern(sourceInput, base?.replace(/^v/, ''));
    } catch (error: unknown) {
      throw new ConfigurationError('INVALID_INPUT', `read input source: ${errorMessage(error)}`, { cause: error });
    }
    return { images, source: { kind: 'pattern', pattern: sourceInput, ...(base !== undefined ? { base: base.replace(/^v/, '') } : {}) } };
  }
  if (!listed) return undefined;
  if (sourceInput.includes(':')) {
    throw new ConfigurationError('INVALID_INPUT', 'read input source: one digest cannot name several images; give a tag, a version pattern (1.5.0-staging.*) or a JSON map image → digest');
  }
  return { images, source: { kind: 'tag', tag: validateTag(sourceInput) } };
}

/**
 * Checks the release inputs together: the version the release is for, the notes template, and
 * that `publish-draft` is not combined with `release: draft`. Returns the version when a release is requested.
 */
function checkRelease(release: ReleaseInputs, source: ImageReference): string | undefined {
  if (release.mode === 'none' && !release.publishDraft) return undefined;
  if (release.mode === 'draft' && release.publishDraft) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      'read input publish-draft: true publishes the existing draft after promotion, but release is draft; use release: published, or publish-draft: false',
    );
  }
  let version: string;
  if (release.version !== undefined) {
    if (!versionOfTag(release.version)) {
      throw new ConfigurationError('INVALID_INPUT', `read input version: ${JSON.stringify(release.version)} is not a SemVer 2.0 version (X.Y.Z or vX.Y.Z, optionally -prerelease), e.g. 1.4.0`);
    }
    version = release.version;
  } else if (source.tag !== undefined && versionOfTag(source.tag)) {
    version = source.tag;
  } else {
    throw new ConfigurationError(
      'MISSING_INPUT',
      `read input version: required when a release is requested and source ${JSON.stringify(source.tag ?? source.digest)} is not a version tag; e.g. version: 1.4.0`,
    );
  }
  if (release.notes.kind === 'changelog-file') {
    const { template } = release.notes;
    try {
      if (template.includes('{version}') || template.includes('{base}')) changelogPaths(version, template);
      else if (!isRepositoryPath(template)) {
        throw new Error('it must be a path inside the repository');
      }
    } catch (error: unknown) {
      throw new ConfigurationError('INVALID_INPUT', `read input release-notes: changelog-file:${template}: ${errorMessage(error)}, e.g. changelog-file:CHANGELOG.md`, { cause: error });
    }
  }
  return version;
}
