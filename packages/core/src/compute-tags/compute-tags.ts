import { computeTags } from '../policy/compute-tags.js';
import type { ComputeTagsResult, TagPolicyInput } from '../policy/compute-tags.js';
import { addStagingTags, combineTagNames, stagingReservationFor } from '../policy/images.js';
import { formatReference } from '../registry/reference.js';
import type { RepositoryReference } from '../registry/reference.js';

/** What a compute-tags run is asked: the images of one build and the tag policy. */
export interface ComputeImageTagsRequest {
  /** The images of the build, in input order; at least one. */
  images: readonly RepositoryReference[];
  /** The tag policy of every image, except what is read per image (`existingTags`) and the clock. */
  policy: Omit<TagPolicyInput, 'existingTags' | 'now'>;
  /** Reserve a staging tag through the forge (`staging-counter: true`). */
  staging: boolean;
  /** The build time. */
  now: Date;
}

/** A staging tag reserved through the forge for the build's commit. */
export interface StagingTagReservation {
  /** The git tag, e.g. `1.2.3-staging.4`. */
  tag: string;
  /** False when the tag already existed at the commit (an idempotent re-run). */
  created: boolean;
  /** Creation attempts made. */
  attempts: number;
  /** The base version it was reserved for (`X.Y.Z`). */
  base: string;
  /** Where the base came from, e.g. `staging-base` or a package.json path. */
  baseFrom: string;
}

/** What compute-tags needs from the outside world. */
export interface ComputeImageTagsPorts<R extends StagingTagReservation> {
  /** Lists an image's tags; absent when the policy is not registry-aware (nothing is read). */
  listTags?(image: RepositoryReference): Promise<string[]>;
  /** Reserves `<base>-staging.N` for the commit; `existingTags` are every image's tags. Needed when `staging`. */
  reserveStaging?(existingTags: string[]): Promise<R>;
  /** Progress lines. */
  onProgress?(message: string): void;
}

/** The plan of one image. */
export interface ImageTagDecision {
  /** The image reference, canonical form. */
  image: string;
  /** How many tags the registry held; null when not read. */
  existingTags: number | null;
  /** The image's plan (staging tags included). */
  result: ComputeTagsResult;
}

/** What compute-tags decided. */
export interface ComputeImageTagsReport<R extends StagingTagReservation> {
  /** One plan per image, in input order. */
  images: ImageTagDecision[];
  /** The reserved staging tag; absent when none was reserved. */
  reserved?: R;
  /** Why no staging tag was reserved, when staging was asked for. */
  notes: string[];
  /** The one list of tag names reported (the first image's). */
  tagNames: string[];
  /** Every distinct plan warning, then the warnings of combining the images. */
  warnings: string[];
}

/**
 * Computes the tags of a build for every image: reads every repository's tags concurrently (when registry-aware),
 * applies the pure tag policy ({@link computeTags}), reserves a staging tag when the rule
 * {@link stagingReservationFor} says the build gets one and puts it in every plan
 * ({@link addStagingTags}), and combines the tag names ({@link combineTagNames}). Writes nothing to a registry.
 *
 * @param request - the images, the policy, staging and the clock.
 * @param ports - the registry listing and the staging reservation.
 * @returns the report.
 * @throws {@link ConfigurationError} for invalid policy input (before any reservation); the ports' errors.
 */
export async function computeImageTags<R extends StagingTagReservation>(
  request: ComputeImageTagsRequest,
  ports: ComputeImageTagsPorts<R>,
): Promise<ComputeImageTagsReport<R>> {
  const decisions: ImageTagDecision[] = [];
  const allExisting = new Set<string>();
  // The listings do not depend on each other: read them all at once (the registry client bounds how
  // many requests go to one host at a time), then decide in input order.
  const listings = await Promise.all(request.images.map((image) => (ports.listTags ? ports.listTags(image) : Promise.resolve([]))));
  for (const [i, image] of request.images.entries()) {
    const existing = listings[i] ?? [];
    if (ports.listTags) ports.onProgress?.(`${formatReference(image)}: ${existing.length} existing tags`);
    for (const tag of existing) allExisting.add(tag);
    decisions.push({
      image: formatReference(image),
      existingTags: ports.listTags ? existing.length : null,
      result: computeTags({ ...request.policy, existingTags: existing, now: request.now }),
    });
  }
  let reserved: R | undefined;
  const notes: string[] = [];
  if (request.staging && ports.reserveStaging) {
    const decision = stagingReservationFor(decisions[0]!.result.kind);
    if (decision.reserve) {
      reserved = await ports.reserveStaging([...allExisting]);
      ports.onProgress?.(`staging counter: ${reserved.created ? 'reserved' : 'reusing'} ${reserved.tag} for ${request.policy.ref.sha}`);
      const reason = `${reserved.created ? 'reserved' : 'already reserved for this commit'}: refs/tags/${reserved.tag} (base ${reserved.base} from ${reserved.baseFrom})`;
      for (const item of decisions) item.result = addStagingTags(item.result, { gitTag: reserved.tag, tagPrefix: request.policy.tagPrefix, reason });
    } else {
      notes.push(decision.note);
      ports.onProgress?.(decision.note);
    }
  }
  const combined = combineTagNames(decisions.map((d) => ({ image: d.image, tags: d.result.tags })));
  const warnings = [...new Set(decisions.flatMap((d) => d.result.warnings)), ...combined.warnings];
  return { images: decisions, ...(reserved ? { reserved } : {}), notes, tagNames: combined.tagNames, warnings };
}
