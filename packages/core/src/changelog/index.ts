// Curated exports of the changelog module (pure: release notes, previous release, make_latest).
export { previousRelease, makeLatestFor } from './versions.js';
export { notesFromCommits, parseConventionalCommit, pullRequestNumberOf } from './notes.js';
export type { CommitInfo, ConventionalCommit, NotesFromCommitsOptions } from './notes.js';
export { notesFromChangelog, changelogPaths, stagingBuildOf } from './changelog-file.js';
export type { ChangelogSource, StagingBuild } from './changelog-file.js';
export { verificationFooter, footerSigner, footerVerification, publishedKeyLocation, verifyCommands } from './verification.js';
export type { FooterPolicy, VerificationFooterInput, VerifiedSigner, VerifyMethod } from './verification.js';
export { earlierReleaseTags, findReleaseOf, isStagingTag, releaseTagSpellings } from './releases.js';
export type { ReleaseRecord } from './releases.js';
export { changelogSectionFinal } from './final.js';
export type { ChangelogFinality } from './final.js';
