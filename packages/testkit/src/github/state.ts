import { createHash } from 'node:crypto';

/** A commit the double knows about (for compare and for checking `sha` in ref creation). */
export interface SeedCommit {
  sha: string;
  parents?: string[];
  subject: string;
  body?: string;
  author: { name: string; email: string; login?: string };
  /** ISO 8601; defaults to the time it was added. */
  authoredAt?: string;
}

/** A ref as the double stores it: `object.type` is `commit`, or `tag` for an annotated tag object. */
export interface RefRecord {
  ref: string;
  sha: string;
  type: 'commit' | 'tag';
}

/** An annotated tag object (`GET /git/tags/{tag_sha}`). */
export interface TagObjectRecord {
  sha: string;
  tag: string;
  message: string;
  objectSha: string;
  tagger: { name: string; email: string; date: string };
}

/** A release as the double stores it. */
export interface ReleaseRecord {
  id: number;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
  publishedAt: string | null;
  updatedAt: string;
}

/** A container package version (GHCR): `name` is the manifest digest, tags in `metadata.container.tags`. */
export interface PackageVersionRecord {
  id: number;
  name: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

/** Whose package: an organization, or a user account (`/user/...` is the token's own account). */
export type PackageOwner = { org: string } | { user: string };

/**
 * The in-memory state of the GitHub API double. Tests read it to assert what changed, and seed it
 * with the helpers (`addCommits`, `setRef`, `addAnnotatedTag`, `addPackageVersion`).
 */
export class GitHubApiState {
  readonly owner: string;
  readonly repo: string;
  /** The login of the token's account (`/user/...` endpoints). */
  readonly login: string;
  readonly refs = new Map<string, RefRecord>();
  readonly tagObjects = new Map<string, TagObjectRecord>();
  readonly commits = new Map<string, SeedCommit & { order: number }>();
  readonly releases: ReleaseRecord[] = [];
  /** The release GitHub would show as "Latest"; undefined when none was made latest. */
  latestReleaseId: number | undefined;
  readonly packages = new Map<string, PackageVersionRecord[]>();
  private nextId = 1;
  private readonly now: () => Date;

  constructor(options: { owner: string; repo: string; login: string; now?: () => Date }) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.login = options.login;
    this.now = options.now ?? (() => new Date());
  }

  /** The current time as GitHub spells it (`2026-11-22T03:00:00Z`). */
  timestamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  id(): number {
    return this.nextId++;
  }

  /** Adds commits (any order; e.g. straight from `commitRange`). Unknown `sha`s in ref creation are then refused. */
  addCommits(commits: readonly SeedCommit[]): void {
    for (const commit of commits) {
      if (!this.commits.has(commit.sha)) {
        this.commits.set(commit.sha, { ...commit, order: this.commits.size });
      }
    }
  }

  /** Sets `refs/...` to a commit (a branch or a lightweight tag). */
  setRef(ref: string, sha: string): void {
    this.refs.set(ref, { ref, sha, type: 'commit' });
  }

  /** Creates an annotated tag object and `refs/tags/<tag>` pointing at it. */
  addAnnotatedTag(tag: string, commitSha: string, message = `release ${tag}`): TagObjectRecord {
    const sha = createHash('sha1').update(`tag ${tag} ${commitSha} ${message}`).digest('hex');
    const record: TagObjectRecord = {
      sha,
      tag,
      message,
      objectSha: commitSha,
      tagger: { name: 'Ada Lovelace', email: 'ada@example.com', date: this.timestamp() },
    };
    this.tagObjects.set(sha, record);
    this.refs.set(`refs/tags/${tag}`, { ref: `refs/tags/${tag}`, sha, type: 'tag' });
    return record;
  }

  /** The commit a ref points at, annotated tags peeled. */
  peel(ref: string): string | undefined {
    const record = this.refs.get(ref);
    if (!record) return undefined;
    return record.type === 'tag' ? this.tagObjects.get(record.sha)?.objectSha : record.sha;
  }

  /** Resolves a commit-ish as GitHub does for compare and `target_commitish`: a sha, a tag or a branch. */
  resolveCommitish(commitish: string): string | undefined {
    if (/^[0-9a-f]{40}$/.test(commitish) && (this.commits.size === 0 || this.commits.has(commitish))) return commitish;
    return this.peel(`refs/tags/${commitish}`) ?? this.peel(`refs/heads/${commitish}`) ?? this.peel(commitish);
  }

  /** Adds a container package version (newest last); returns its id. */
  addPackageVersion(
    owner: PackageOwner,
    packageName: string,
    version: { digest: string; tags?: string[]; createdAt?: string },
  ): PackageVersionRecord {
    const key = packageKey(owner, packageName);
    const list = this.packages.get(key) ?? [];
    const createdAt = version.createdAt ?? this.timestamp();
    const record: PackageVersionRecord = {
      id: this.id(),
      name: version.digest,
      tags: [...(version.tags ?? [])],
      createdAt,
      updatedAt: createdAt,
    };
    list.push(record);
    this.packages.set(key, list);
    return record;
  }

  /** The versions of a container package, or undefined when there is no such package. */
  packageVersions(owner: PackageOwner, packageName: string): PackageVersionRecord[] | undefined {
    return this.packages.get(packageKey(owner, packageName));
  }

  /** Release by tag (drafts included), for test assertions. */
  releaseByTag(tag: string): ReleaseRecord | undefined {
    return this.releases.find((r) => r.tagName === tag);
  }
}

export function packageKey(owner: PackageOwner, packageName: string): string {
  return 'org' in owner ? `org:${owner.org}/${packageName}` : `user:${owner.user}/${packageName}`;
}
