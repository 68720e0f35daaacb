import {
  getBooleanInput,
  getChoiceInput,
  getListInput,
  getOptionalInput,
  getRequiredInput,
  getSecretInput,
  namedInput,
  readRegistryInputs,
} from '@tagwright/action-kit';
import type { RegistryInputs } from '@tagwright/action-kit';
import { ConfigurationError } from '@tagwright/core/errors';
import { deletionApiFor, parseRepository } from '@tagwright/core/registry';
import type { RepositoryReference } from '@tagwright/core/registry';
import { checkRetentionSafety, compileRetentionPattern, compileRetentionPolicy, parseRetentionDuration } from '@tagwright/core/retention';
import type { CompiledRetentionPolicy, RetentionKeepNewest, RetentionPolicy } from '@tagwright/core/retention';

/** Why the cleanup runs: `retention` (schedule), or a `delete` event of a branch or a tag. */
export type CleanupMode = 'retention' | 'branch-deleted' | 'tag-deleted';

/** The group `keep-n: 30` applies to. */
export const DEFAULT_KEEP_GROUP = 'sha-*';

/** The validated inputs of cleanup. */
export interface Inputs {
  image: RepositoryReference;
  /** GHCR (`ghcr.io`) is cleaned through the GitHub Packages API; any other registry through the distribution API. */
  backend: 'registry' | 'ghcr';
  policy: RetentionPolicy;
  /** The policy compiled (validated); used to skip reading what the policy cannot delete. */
  compiled: CompiledRetentionPolicy;
  mode: CleanupMode;
  /** The deleted branch (`branch-deleted`). */
  branch?: string;
  dryRun: boolean;
  githubToken?: string;
  registry: RegistryInputs;
}

/** Reads and validates every input; throws ConfigurationError naming the input before any request. */
export function readInputs(): Inputs {
  const image = namedInput('image', 'ghcr.io/acme/app', () => parseRepository(getRequiredInput('image')));
  const protect = getListInput('protect', { commas: false });
  protect.forEach((pattern, i) => namedInput('protect', 'v[0-9]+\\.[0-9]+\\.[0-9]+', () => compileRetentionPattern(pattern, `line ${i + 1}`)));
  const keep = namedInput('keep-n', 'sha-*=30', () => parseKeepN(getListInput('keep-n', { commas: false })));
  const olderThan = getOptionalInput('older-than');
  if (olderThan !== undefined) namedInput('older-than', '30d', () => parseRetentionDuration(olderThan, 'duration'));
  const only = getOptionalInput('only');
  if (only !== undefined) namedInput('only', 'sha-[0-9a-f]+', () => compileRetentionPattern(only, 'regular expression'));
  const policy: RetentionPolicy = {
    protect,
    keep,
    deleteUntagged: getBooleanInput('delete-untagged', false),
    ...(olderThan !== undefined ? { olderThan } : {}),
    ...(only !== undefined ? { only } : {}),
  };
  const compiled = compileRetentionPolicy(policy);
  const mode = getChoiceInput<CleanupMode>('mode', ['retention', 'branch-deleted', 'tag-deleted'], 'retention');
  const branch = getOptionalInput('branch');
  if (mode === 'branch-deleted' && branch === undefined) {
    throw new ConfigurationError('MISSING_INPUT', 'read input branch: required with mode branch-deleted (e.g. ${{ github.event.ref }})');
  }
  if (mode === 'retention') {
    // keep-n 0 and older-than under one hour would delete every build, or builds just pushed.
    namedInput('keep-n', 'sha-*=30', () => checkRetentionSafety({ keep }, 'scheduled', { keep: (i) => `line ${i + 1}` }));
    if (olderThan !== undefined) namedInput('older-than', '30d', () => checkRetentionSafety({ olderThan }, 'scheduled', { olderThan: 'duration' }));
  }
  if (mode === 'retention' && keep.length === 0 && olderThan === undefined && !policy.deleteUntagged) {
    throw new ConfigurationError('MISSING_INPUT', 'read input keep-n: give keep-n, older-than or delete-untagged; with none of them nothing can be deleted');
  }
  const githubToken = getSecretInput('github-token');
  const backend = deletionApiFor(image.registry) === 'github-packages' ? 'ghcr' : 'registry';
  if (backend === 'ghcr' && githubToken === undefined && mode !== 'tag-deleted') {
    throw new ConfigurationError('MISSING_INPUT', 'read input github-token: required for ghcr.io (GHCR deletes through the GitHub Packages API)');
  }
  return {
    image,
    backend,
    policy,
    compiled,
    mode,
    ...(branch !== undefined ? { branch } : {}),
    dryRun: getBooleanInput('dry-run', false),
    ...(githubToken !== undefined ? { githubToken } : {}),
    registry: readRegistryInputs(),
  };
}

/**
 * `keep-n` lines: `30` (the newest 30 of `sha-*`) or `glob=count` (`sha-*=30`, `pr-*=5`); a tag belongs to
 * the first group whose glob matches it.
 */
export function parseKeepN(lines: readonly string[]): RetentionKeepNewest[] {
  const groups = lines.map((line): RetentionKeepNewest => {
    const at = line.lastIndexOf('=');
    const pattern = at < 0 ? DEFAULT_KEEP_GROUP : line.slice(0, at).trim();
    const count = (at < 0 ? line : line.slice(at + 1)).trim();
    if (!/^[0-9]+$/.test(count) || !Number.isSafeInteger(Number(count))) {
      throw new ConfigurationError('INVALID_INPUT', `line ${JSON.stringify(line)}: expected a count (30) or glob=count (sha-*=30)`);
    }
    if (pattern === '') throw new ConfigurationError('INVALID_INPUT', `line ${JSON.stringify(line)}: empty glob before =`);
    return { pattern, count: Number(count) };
  });
  compileRetentionPolicy({ keep: groups, defaultProtect: false });
  return groups;
}
