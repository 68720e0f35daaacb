/**
 * Data shapes of the retention planner: what the caller read from a repository, the policy, and
 * the plan that comes back. Pure data; nothing here does I/O.
 *
 * Terms follow the OCI specs: an {@link https://github.com/opencontainers/image-spec/blob/main/image-index.md | image index}
 * lists child manifests; a referrer is a manifest whose `subject` names another manifest
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers | Listing referrers});
 * registries without the referrers API keep them in a fallback index tagged `sha256-<hex>`
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema | Referrers tag schema}).
 *
 * @packageDocumentation
 */
// Referenced by TSDoc links.
import type { DEFAULT_ROLLBACK_HISTORY_KEEP, isChannelTag, isRollbackAuditTag } from './policy.js';


/**
 * One tag of the repository and the digest it resolves to.
 *
 * Legacy cosign artifact tags (`sha256-<hex>.sig`, `.att`, `.sbom`) and referrers fallback index tags
 * (`sha256-<hex>`) belong in this list too: the planner recognises them and makes them follow their subject.
 */
export interface RetentionTag {
  /** The tag, e.g. `sha-1a2b3c4` or `v1.2.3`. */
  tag: string;
  /** The digest the tag resolves to, e.g. `sha256:…` (64 hex digits). */
  digest: string;
  /** When the manifest was created (image config `created`, or the registry's version date); unknown when absent. */
  created?: Date;
}

/** A manifest of the repository that no tag points at (e.g. a platform manifest of a multi-arch index, an old build). */
export interface RetentionUntaggedManifest {
  /** The manifest digest. */
  digest: string;
  /** When the manifest was created; unknown when absent. */
  created?: Date;
}

/**
 * A referrer: a manifest whose `subject` field names `subjectDigest`
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers | OCI distribution spec, Listing referrers}),
 * e.g. a Sigstore bundle, an SBOM or a provenance attestation.
 */
export interface RetentionReferrer {
  /** The digest of the manifest the referrer is about. */
  subjectDigest: string;
  /** The digest of the referrer manifest itself. */
  digest: string;
  /** Its `artifactType`, for display only. */
  artifactType?: string;
}

/**
 * Everything the planner needs to know about one repository, read beforehand by an adapter.
 *
 * The planner trusts this inventory to be complete: every index of the repository appears in
 * `indexes`, every referrer in `referrers`. A manifest that could not be read goes in `unreadable`,
 * which makes the planner delete nothing.
 */
export interface RetentionInventory {
  /** Every tag of the repository (release tags, build tags, signature and fallback index tags). */
  tags: readonly RetentionTag[];
  /** Manifests with no tag. Children of an index that appear here are protected by their index. */
  untagged?: readonly RetentionUntaggedManifest[];
  /**
   * The children of each image index: index digest → the digests in its `manifests` array
   * ({@link https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions | OCI image spec, Image index}).
   */
  indexes?: Readonly<Record<string, readonly string[]>>;
  /** Referrers found through the referrers API or the fallback index. */
  referrers?: readonly RetentionReferrer[];
  /** Digests whose manifest could not be read; when non-empty nothing is deleted. */
  unreadable?: readonly string[];
}

/** Keep the `count` newest tags matching `pattern` (a glob, e.g. `sha-*`). */
export interface RetentionKeepNewest {
  /** A glob over the whole tag (picomatch syntax, e.g. `sha-*`, `pr-[0-9]*`); the tags it matches form a group. */
  pattern: string;
  /** How many of the group's newest tags to keep; a non-negative integer. */
  count: number;
}

/**
 * The retention policy, as a user writes it. Validate it early with {@link compileRetentionPolicy}.
 *
 * A tag may be deleted only when it is within `only`, not protected, not among the `count` newest of
 * its group, and older than `olderThan` (when set). A tag that no rule selects is kept. Signature,
 * attestation and fallback index tags (`sha256-<hex>.sig`, `sha256-<hex>`) are not matched against these
 * rules: they follow their subject.
 */
export interface RetentionPolicy {
  /**
   * Extra regular expressions of tags never to delete, each anchored to the whole tag (compiled as `^(?:…)$`).
   * Added to {@link DEFAULT_RETENTION_PROTECT} unless `defaultProtect` is false.
   */
  protect?: readonly string[];
  /** Whether {@link DEFAULT_RETENTION_PROTECT} (`latest`, `X.Y.Z`, `vX.Y.Z`, prereleases, `X.Y`, `X`) apply; default true. */
  defaultProtect?: boolean;
  /** Long-lived branches whose tag is protected, e.g. `['main', 'staging']` (`release/1.x` → tag `release-1.x`). */
  protectBranches?: readonly string[];
  /** Keep the newest N tags of each group; a tag belongs to the first group whose pattern matches it. */
  keep?: readonly RetentionKeepNewest[];
  /** Only tags older than this may be deleted: `30d`, `12h`, `2w` or ISO 8601 `P30D`, `PT12H`. */
  olderThan?: string;
  /**
   * Delete manifests that no tag, index or subject holds (scheduled mode only; `olderThan` applies to them,
   * `only` does not, since they have no tag); default false.
   */
  deleteUntagged?: boolean;
  /**
   * A regular expression (whole tag) limiting which tags the policy may touch; others are kept. A tag it
   * matches is named explicitly: the default guard of channel tags and rollback history
   * ({@link isChannelTag}, {@link isRollbackAuditTag}) does not apply to it.
   */
  only?: string;
  /**
   * How many rollback history stamps (`<track>-*`, e.g. `prod-20261122-abc1234`) of each channel tag present in
   * the repository a scheduled cleanup always keeps, newest first (by the date in the stamp, else the creation
   * time); default {@link DEFAULT_ROLLBACK_HISTORY_KEEP} (10). A whole number, 1 or more.
   */
  historyKeep?: number;
}

/** A regular expression compiled from a policy pattern, with the pattern as the user wrote it. */
export interface RetentionPattern {
  /** The pattern as written (for messages). */
  source: string;
  /** The anchored expression `^(?:source)$`. */
  regex: RegExp;
  /** How reasons name it, when not by its source (e.g. `default: release version X.Y.Z`). */
  label?: string;
}

/** A {@link RetentionKeepNewest} with its glob compiled. */
export interface CompiledRetentionKeepNewest extends RetentionKeepNewest {
  /** Whether a tag belongs to this group. */
  matches: (tag: string) => boolean;
}

/** A validated {@link RetentionPolicy}: every pattern compiled, the duration in milliseconds. */
export interface CompiledRetentionPolicy {
  /** Protecting patterns, defaults first. */
  protect: readonly RetentionPattern[];
  /** Keep-newest groups in declaration order. */
  keep: readonly CompiledRetentionKeepNewest[];
  /** `olderThan` as written, when set. */
  olderThan?: string;
  /** `olderThan` in milliseconds, when set. */
  olderThanMs?: number;
  /** Whether untagged manifests may be deleted. */
  deleteUntagged: boolean;
  /** The `only` limit, when set. */
  only?: RetentionPattern;
  /** Rollback history stamps kept per channel tag. */
  historyKeep: number;
}

/**
 * Why the planner runs.
 * - `scheduled`: apply the policy to the whole repository (the default).
 * - `branch-deleted`: a branch was deleted: delete only that branch's tags (protection still applies).
 * - `tag-deleted`: a git tag was deleted: a release image is never deleted for that; the plan is empty.
 */
export type RetentionMode =
  | { mode?: 'scheduled' }
  | {
      mode: 'branch-deleted';
      /** The deleted branch, e.g. `feature/login` or `refs/heads/feature/login`. */
      branch: string;
      /** The tag the branch was published as; default: the branch with characters outside `[A-Za-z0-9._-]` turned into `-`. */
      branchTag?: string;
      /**
       * Further tags of the branch: a regular expression over the whole tag in which `{branch}` stands for the
       * (escaped) branch tag, e.g. `{branch}-sha-[0-9a-f]{7,40}`. By default only the branch tag itself.
       */
      branchTagPattern?: string;
    }
  | {
      mode: 'tag-deleted';
      /** The deleted git tag, for the reason text. */
      tag?: string;
    };

/** The input of {@link planRetention}. */
export type RetentionInput = {
  /** What the repository holds. */
  inventory: RetentionInventory;
  /** The policy as the user wrote it. */
  policy: RetentionPolicy;
  /**
   * Whether the registry can remove one tag without deleting its manifest (Docker Hub, Quay, Harbor, ECR).
   * False for the generic distribution API (DELETE by digest removes every tag) and GHCR's versions API.
   */
  canUntag: boolean;
  /** The current time; `olderThan` is measured from it. */
  now: Date;
} & RetentionMode;

/** Why a tag or manifest stays. */
export type RetentionKeepRule =
  | 'protect'
  | 'keep-newest'
  | 'younger'
  | 'outside-only'
  | 'no-rule'
  | 'unknown-age'
  | 'not-branch'
  | 'shared-digest'
  | 'index-child'
  | 'artifact'
  | 'untagged'
  | 'orphan-artifact'
  | 'channel'
  | 'rollback-history';

/** Why a manifest goes (or a tag is removed). */
export type RetentionDeleteRule = 'keep-newest' | 'older-than' | 'branch-deleted' | 'untagged' | 'index-child' | 'artifact';

/** A tag, or an untagged manifest, that stays. */
export interface RetentionKeepEntry {
  /** The tag; absent for an untagged manifest. */
  tag?: string;
  /** The digest the tag resolves to, or the untagged manifest. */
  digest: string;
  /** The rule that keeps it. */
  rule: RetentionKeepRule;
  /** A sentence for people, e.g. `matches protect pattern latest`. */
  reason: string;
}

/** A manifest to delete by digest, with every tag that goes with it. */
export interface RetentionDeleteEntry {
  /** The manifest digest to DELETE. */
  digest: string;
  /** Every tag resolving to it (all disappear with it), sorted; empty for an untagged manifest. */
  tags: string[];
  /** The rule that selected it. */
  rule: RetentionDeleteRule;
  /** A sentence for people, e.g. `not among the 30 newest sha-*`. */
  reason: string;
}

/** A tag to remove while its manifest stays (only when the registry can untag). */
export interface RetentionUntagEntry {
  /** The tag to remove. */
  tag: string;
  /** The digest it resolves to, which stays. */
  digest: string;
  /** The rule that selected the tag. */
  rule: RetentionDeleteRule;
  /** A sentence for people. */
  reason: string;
}

/**
 * What to do with a repository. `delete` is ordered so that a manifest is deleted before the manifests it
 * refers to (an index before its children, a signature before its subject): stopping part way never leaves
 * an index pointing at a missing child.
 */
export interface RetentionPlan {
  /** Tags and untagged manifests that stay, with the rule that keeps each. */
  keep: RetentionKeepEntry[];
  /** Manifests to delete by digest, in order. */
  delete: RetentionDeleteEntry[];
  /** Tags to remove without deleting their manifest; empty unless the registry can untag. */
  untag: RetentionUntagEntry[];
  /** Things the user should know (a tag kept only because of a shared digest, unknown creation times…). */
  warnings: string[];
  /** Set when the planner decided to change nothing at all, with the reason. */
  skipped?: string;
}
