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
import { validateStampTemplate } from '@tagwright/core/policy';
import { parseRepository, validateDigest, validateTag } from '@tagwright/core/registry';
import type { ImageReference, RepositoryReference } from '@tagwright/core/registry';
import { versionOfTag } from '@tagwright/core/semver';
import { isAbbreviatedCommitSha, isRepositoryPath, normalizeCommitSha } from '@tagwright/core/grammar';

/** The validated inputs of promote. */
export interface Inputs {
  source: ImageReference;
  destination: RepositoryReference;
  /** Target tags or stamp templates as given; rendered in run(). */
  targets: string[];
  sha: string;
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
  /** The version promoted (`version` input, else the source tag when it is a version); for the downgrade guard. */
  sourceVersion?: string;
  /** Allow a floating version tag to move to a lower version. */
  allowDowngrade: boolean;
  registry: RegistryInputs;
}

/** Reads and validates every input; throws ConfigurationError naming the input before any request. */
export function readInputs(): Inputs {
  const image = namedInput('image', 'ghcr.io/acme/app', () => parseRepository(getRequiredInput('image')));
  const sourceInput = getRequiredInput('source');
  const source: ImageReference = { ...image };
  namedInput('source', '1.4.0, or sha256: and 64 hex digits', () => {
    if (sourceInput.includes(':')) source.digest = validateDigest(sourceInput);
    else source.tag = validateTag(sourceInput);
  });
  const destinationInput = getOptionalInput('destination');
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
  const sha = getOptionalInput('sha') ?? '';
  if (targets.some((t) => t.includes('{sha}')) && !isAbbreviatedCommitSha(normalizeCommitSha(sha))) {
    throw new ConfigurationError('INVALID_INPUT', `read input sha: ${JSON.stringify(sha)} is not a commit SHA, and a target uses {sha}; e.g. 4f1c2d3 or the full 40 hex digits`);
  }
  const release = readReleaseInputs();
  const releaseVersion = checkRelease(release, source);
  const sourceVersion = release.version ?? (source.tag !== undefined && versionOfTag(source.tag) ? source.tag : undefined);
  return {
    source,
    destination,
    targets,
    sha: sha.toLowerCase(),
    dryRun: getBooleanInput('dry-run', false),
    copySignatures: getBooleanInput('copy-signatures', true),
    verification: readVerificationInputs(),
    release,
    ...(releaseVersion !== undefined ? { releaseVersion } : {}),
    ...(sourceVersion !== undefined ? { sourceVersion } : {}),
    allowDowngrade: getBooleanInput('allow-downgrade', false),
    registry: readRegistryInputs(),
  };
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
      if (template.includes('{version}')) changelogPaths(version, template);
      else if (!isRepositoryPath(template)) {
        throw new Error('it must be a path inside the repository');
      }
    } catch (error: unknown) {
      throw new ConfigurationError('INVALID_INPUT', `read input release-notes: changelog-file:${template}: ${errorMessage(error)}, e.g. changelog-file:CHANGELOG.md`, { cause: error });
    }
  }
  return version;
}
