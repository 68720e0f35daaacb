import { createHash } from 'node:crypto';

/** A commit the Forgejo double knows about (for compare, tag targets and refs). */
export interface ForgejoSeedCommit {
  /** 40 hex characters. */
  sha: string;
  parents?: string[];
  subject: string;
  body?: string;
  author: { name: string; email: string };
  /** ISO 8601; defaults to the time it was added. */
  authoredAt?: string;
}

/** A git tag as the double stores it: lightweight (`id` is the commit) or annotated (`message`, `id` is the tag object). */
export interface ForgejoTagRecord {
  name: string;
  /** The commit it points at, peeled. */
  commitSha: string;
  /** The tag object for an annotated tag, else the commit. */
  id: string;
  message: string;
  createdAt: string;
}

/** A release as the double stores it. */
export interface ForgejoReleaseRecord {
  id: number;
  tagName: string;
  targetCommitish: string;
  name: string;
  body: string;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
  publishedAt: string;
}

/**
 * The in-memory state of the Forgejo API double: commits, branches, tags and releases of one
 * repository. Tests seed it (`addCommits`, `setBranch`, `addTag`) and read it to assert what changed.
 */
export class ForgejoApiState {
  readonly owner: string;
  readonly repo: string;
  readonly defaultBranch: string;
  readonly commits = new Map<string, ForgejoSeedCommit & { order: number }>();
  readonly branches = new Map<string, string>();
  readonly tags = new Map<string, ForgejoTagRecord>();
  readonly releases: ForgejoReleaseRecord[] = [];
  private nextId = 1;
  private readonly now: () => Date;

  constructor(options: { owner: string; repo: string; defaultBranch?: string; now?: () => Date }) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.defaultBranch = options.defaultBranch ?? 'main';
    this.now = options.now ?? (() => new Date());
  }

  /** The current time as Forgejo spells it (`2026-11-22T03:00:00Z`). */
  timestamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  id(): number {
    return this.nextId++;
  }

  /** Adds commits (any order). The default branch points at the last one added unless set. */
  addCommits(commits: readonly ForgejoSeedCommit[]): void {
    for (const commit of commits) {
      if (!this.commits.has(commit.sha)) this.commits.set(commit.sha, { ...commit, order: this.commits.size });
    }
    const last = commits[commits.length - 1];
    if (last && !this.branches.has(this.defaultBranch)) this.branches.set(this.defaultBranch, last.sha);
  }

  /** Points a branch at a commit. */
  setBranch(name: string, sha: string): void {
    this.branches.set(name, sha);
  }

  /** Adds a tag at a commit; annotated when `message` is given. Replaces one of the same name. */
  addTag(name: string, commitSha: string, message?: string): ForgejoTagRecord {
    const id = message ? createHash('sha1').update(`tag ${name} ${commitSha} ${message}`).digest('hex') : commitSha;
    const record: ForgejoTagRecord = { name, commitSha, id, message: message ?? '', createdAt: this.timestamp() };
    this.tags.set(name, record);
    return record;
  }

  /** Resolves a commit-ish as Forgejo does for tag targets and compare: a full sha, a branch or a tag. */
  resolveCommitish(commitish: string): string | undefined {
    if (/^[0-9a-f]{40}$/.test(commitish) && this.commits.has(commitish)) return commitish;
    return this.branches.get(commitish) ?? this.tags.get(commitish)?.commitSha;
  }

  /** Release by tag (drafts included), for test assertions. */
  releaseByTag(tag: string): ForgejoReleaseRecord | undefined {
    return this.releases.find((r) => r.tagName === tag);
  }
}
