import {
  getBooleanInput,
  getListInput,
  getOptionalInput,
  getRequiredInput,
  readRegistryInputs,
  readReleaseInputs,
  readVerificationInputs,
  namedInput,
} from '@tagwright/action-kit';
import type { RegistryInputs, ReleaseInputs, VerificationInputs } from '@tagwright/action-kit';
import { changelogPaths } from '@tagwright/core/changelog';
import { ConfigurationError, errorMessage } from '@tagwright/core/errors';
import { ROLLBACK_AUDIT_TEMPLATE, parseStamp, renderStamp, validateStampTemplate } from '@tagwright/core/policy';
import { parseRepository, validateDigest, validateTag } from '@tagwright/core/registry';
import type { RepositoryReference } from '@tagwright/core/registry';
import { versionOfTag } from '@tagwright/core/semver';
import picomatch from 'picomatch';
import { isRepositoryPath } from '@tagwright/core/grammar';

/** The history glob, compiled. */
export interface HistoryGlob {
  /** The glob as given, e.g. `prod-*`. */
  pattern: string;
  /** True when a tag matches the whole glob. */
  matches(tag: string): boolean;
}

/** An explicit rollback target. */
export type ExplicitTarget = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: string };

/** The validated inputs of rollback. */
export interface Inputs {
  image: RepositoryReference;
  /** The tag being rolled back, e.g. `prod`. */
  track: string;
  /** The build to go back to, when given; otherwise it is picked from the history. */
  to?: ExplicitTarget;
  history: HistoryGlob;
  /**
   * Templates the history stamps are read with, in order: `history-template` as given, then its
   * `{date}`↔`{datetime}` counterpart, so that both stamp styles are ordered by their time.
   */
  historyTemplates: string[];
  /** Tags moved together with the track, e.g. `latest`. */
  also: string[];
  /** The audit tag template, e.g. `prod-rollback-{datetime}-from-{sha}`. */
  auditTemplate: string;
  dryRun: boolean;
  /** The workflow run attempt (1 for the first); a re-run without `to` is refused. */
  runAttempt?: number;
  verification: VerificationInputs;
  release: ReleaseInputs;
  registry: RegistryInputs;
}

/** Runs `read` and turns what it throws into a ConfigurationError naming the input. */
/** A valid value of each input whose value is parsed, shown after `e.g.` in its error. */
const EXAMPLES: Record<string, string> = {
  image: 'ghcr.io/acme/app',
  track: 'prod',
  to: 'prod-20261110-bbbbbbb, or sha256: and 64 hex digits',
  history: 'prod-*',
  'history-template': 'prod-{date}-{sha}',
  also: 'latest',
  'audit-tag': 'prod-rollback-{datetime}-from-{sha}',
  'run-attempt': '1',
  'release-notes': 'changelog-file:CHANGELOG.md',
};

function named<T>(input: string, read: () => T): T {
  return namedInput(input, EXAMPLES[input] ?? '', read);
}

/** Compiles a picomatch glob over whole tags; throws when picomatch cannot parse it. */
export function compileHistoryGlob(pattern: string): HistoryGlob {
  if (/\s/.test(pattern)) throw new Error(`${JSON.stringify(pattern)} contains whitespace; a tag never does`);
  let re: RegExp;
  try {
    re = picomatch.makeRe(pattern, { dot: true, strictBrackets: true });
  } catch (error: unknown) {
    throw new Error(`${JSON.stringify(pattern)} is not a valid glob: ${errorMessage(error)}`);
  }
  // picomatch answers a pattern it cannot parse with a regex that never matches.
  if (re.source === '$^') throw new Error(`${JSON.stringify(pattern)} is not a valid glob`);
  return { pattern, matches: (tag) => re.test(tag) };
}

/** The template itself, then its `{date}`↔`{datetime}` counterpart (when it has exactly one of them). */
export function stampTemplateVariants(template: string): string[] {
  const variants = [template];
  if (template.includes('{date}') && !template.includes('{datetime}')) variants.push(template.replaceAll('{date}', '{datetime}'));
  else if (template.includes('{datetime}') && !template.includes('{date}')) variants.push(template.replaceAll('{datetime}', '{date}'));
  return variants;
}

/** Reads and validates every input; throws ConfigurationError naming the input before any request. */
export function readInputs(): Inputs {
  const image = named('image', () => parseRepository(getRequiredInput('image')));
  const track = named('track', () => validateTag(getOptionalInput('track') ?? 'prod'));
  const toInput = getOptionalInput('to');
  const to = toInput === undefined ? undefined : named('to', () => readExplicitTarget(toInput));
  const history = named('history', () => compileHistoryGlob(getOptionalInput('history') ?? 'prod-*'));
  const historyTemplate = getOptionalInput('history-template') ?? 'prod-{date}-{sha}';
  named('history-template', () => {
    const info = validateStampTemplate(historyTemplate);
    if (!info.hasTime) throw new Error(`${JSON.stringify(historyTemplate)} has no {date} or {datetime}, so history cannot be ordered by time`);
  });
  const historyTemplates = stampTemplateVariants(historyTemplate);
  const also = named('also', () => {
    const tags = [...new Set(getListInput('also').map((tag) => validateTag(tag)))];
    if (tags.includes(track)) throw new Error(`${JSON.stringify(track)} is the track itself`);
    return tags;
  });
  const auditTemplate = getOptionalInput('audit-tag') ?? ROLLBACK_AUDIT_TEMPLATE;
  named('audit-tag', () => checkAuditTemplate(auditTemplate, historyTemplates, [track, ...also]));
  return {
    image,
    track,
    ...(to ? { to } : {}),
    history,
    historyTemplates,
    also,
    auditTemplate,
    dryRun: getBooleanInput('dry-run', false),
    runAttempt: named('run-attempt', () => {
      const given = getOptionalInput('run-attempt') ?? '1';
      if (!/^[1-9][0-9]{0,5}$/.test(given)) throw new ConfigurationError('INVALID_INPUT', `read input run-attempt: ${JSON.stringify(given)} is not a positive whole number, e.g. 1`);
      return Number(given);
    }),
    verification: readVerificationInputs(),
    release: readRollbackReleaseInputs(),
    registry: readRegistryInputs(),
  };
}

function readExplicitTarget(value: string): ExplicitTarget {
  if (value.includes(':')) return { kind: 'digest', digest: validateDigest(value) };
  return { kind: 'tag', tag: validateTag(value) };
}

/**
 * The audit tag template must render to a valid tag, must not be one of the moved tags, and must
 * not read as a promotion stamp (or the next rollback would take it for a past promotion).
 */
function checkAuditTemplate(template: string, historyTemplates: readonly string[], moved: readonly string[]): void {
  const info = validateStampTemplate(template);
  if (info.placeholders.includes('version')) throw new Error(`${JSON.stringify(template)} uses {version}; a rollback has no version`);
  const sample = renderStamp(template, { now: new Date(Date.UTC(2026, 10, 22, 10, 15, 0)), sha: 'abc1234' });
  if (moved.includes(sample)) throw new Error(`${JSON.stringify(template)} renders ${JSON.stringify(sample)}, a tag the rollback moves`);
  for (const historyTemplate of historyTemplates) {
    if (parseStamp(sample, historyTemplate)) {
      throw new Error(
        `${JSON.stringify(template)} renders tags such as ${JSON.stringify(sample)} that read as promotion stamps of ${JSON.stringify(historyTemplate)}`,
      );
    }
  }
}

/**
 * The release inputs of rollback: those of promote (`release`, `release-notes`, `github-token`,
 * checked by action-kit), a `version` that must be SemVer when given, a notes path inside the repository.
 */
function readRollbackReleaseInputs(): ReleaseInputs {
  const release = readReleaseInputs();
  if (release.mode === 'none') return release;
  if (release.version !== undefined && !versionOfTag(release.version)) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read input version: ${JSON.stringify(release.version)} is not a SemVer 2.0 version (X.Y.Z or vX.Y.Z, optionally -prerelease)`,
    );
  }
  if (release.notes.kind === 'changelog-file') {
    const { template } = release.notes;
    named('release-notes', () => {
      if (template.includes('{version}') || template.includes('{base}')) changelogPaths(release.version ?? '0.0.0', template);
      else if (!isRepositoryPath(template)) {
        throw new Error(`changelog-file:${template}: it must be a path inside the repository`);
      }
    });
  }
  return release;
}
