/**
 * Decisions across the images of one build: the staging tags a branch build gets, and the one
 * list of tag names reported when several images were planned. Pure: plans in, plans out.
 *
 * @packageDocumentation
 */
import { ConfigurationError } from '../errors.js';
import type { RefKind } from '../semver/refs.js';
import { imageTagOfVersion } from '../semver/version.js';
import type { TagDecision, TagPlan } from './compute-tags.js';

/** One image's tag plan, named by its reference (e.g. `ghcr.io/acme/app`). */
export interface ImageTagPlan {
  /** The image reference, for messages. */
  readonly image: string;
  /** The tags the image gets, in the order of its plan. */
  readonly tags: readonly string[];
}

/** The result of {@link combineTagNames}. */
export interface CombinedTagNames {
  /** The tag names of the first image. */
  readonly tagNames: string[];
  /** One warning per image whose tags differ from the first image's. */
  readonly warnings: string[];
}

/**
 * Picks the one list of tag names to report for a build of several images: the first image's.
 * Each image's own registry tags decide its floating tags, so an image whose tags differ is
 * named in a warning rather than merged.
 *
 * @param plans - the images in input order; at least one.
 * @returns the first image's tag names, and a warning per image whose tags differ (order included).
 * @throws {@link ConfigurationError} `INVALID_INPUT` when `plans` is empty.
 * @example
 * ```ts
 * combineTagNames([
 *   { image: 'ghcr.io/acme/app', tags: ['1.2.1', '1.2'] },
 *   { image: 'docker.io/acme/app', tags: ['1.2.1', '1.2', '1', 'latest'] },
 * ]);
 * // { tagNames: ['1.2.1', '1.2'], warnings: ['docker.io/acme/app gets tags 1.2.1, 1.2, 1, latest, unlike ghcr.io/acme/app: …'] }
 * ```
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI distribution spec: tags}
 */
export function combineTagNames(plans: readonly ImageTagPlan[]): CombinedTagNames {
  const [first, ...rest] = plans;
  if (!first) throw new ConfigurationError('INVALID_INPUT', 'combine the tag names of the images: no image was given');
  const same = (tags: readonly string[]) => tags.length === first.tags.length && tags.every((tag, i) => tag === first.tags[i]);
  const warnings = rest
    .filter((plan) => !same(plan.tags))
    .map(
      (plan) =>
        `${plan.image} gets tags ${plan.tags.join(', ')}, unlike ${first.image}: each image's own registry tags decide its floating tags`,
    );
  return { tagNames: [...first.tags], warnings };
}

/**
 * Puts a reserved staging tag and the floating `staging` tag first in a branch build's plan.
 * The image tag is the git tag without its `v`, with `tagPrefix` (`v1.2.3-staging.4` with
 * prefix `''` → `1.2.3-staging.4`); a tag the plan already had is moved, not repeated.
 *
 * @param plan - the plan of {@link computeTags} for a branch build.
 * @param staging - `gitTag`, the reserved git tag (e.g. `1.2.3-staging.4`); `tagPrefix` of image
 *   tags; `reason`, why the tag was reserved (for the plan's decisions).
 * @returns a new plan; `plan` is not modified.
 * @see {@link https://semver.org/#spec-item-9 | SemVer §9 (pre-release)}
 */
export function addStagingTags(plan: TagPlan, staging: { gitTag: string; tagPrefix: string; reason: string }): TagPlan {
  const stagingTag = imageTagOfVersion(staging.gitTag.replace(/^v(?=\d)/, ''), staging.tagPrefix);
  const added: TagDecision[] = [
    { tag: stagingTag, given: true, reason: `staging counter ${staging.reason}` },
    { tag: 'staging', given: true, reason: `floating: the latest staging build, ${stagingTag}` },
  ];
  const names = new Set(added.map((d) => d.tag));
  return {
    ...plan,
    tags: [...added.map((d) => d.tag), ...plan.tags.filter((tag) => !names.has(tag))],
    decisions: [...added, ...plan.decisions.filter((d) => !names.has(d.tag))],
  };
}

/** The result of {@link stagingReservationFor}. */
export type StagingReservationDecision = { readonly reserve: true } | { readonly reserve: false; readonly note: string };

/**
 * Whether a build reserves a staging tag (`staging-counter: true`): only branch builds do. A
 * release or other tag, a pull request or any other ref gets none, and the note says why.
 *
 * @param kind - the kind of ref the build runs for (the first image's plan; all share the ref).
 * @returns `{ reserve: true }`, or `{ reserve: false, note }`.
 * @example
 * ```ts
 * stagingReservationFor('release'); // { reserve: false, note: 'staging-counter: no staging tag reserved for a release build (only branch builds get one)' }
 * ```
 */
export function stagingReservationFor(kind: RefKind): StagingReservationDecision {
  return kind === 'branch'
    ? { reserve: true }
    : { reserve: false, note: `staging-counter: no staging tag reserved for a ${kind} build (only branch builds get one)` };
}
