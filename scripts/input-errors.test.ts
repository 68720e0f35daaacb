import { afterEach, describe, expect, it, vi } from 'vitest';
import { parsePublicKey } from '../packages/core/src/sigstore/policy.js';
import { readInputs as readComputeTags } from '../packages/action-compute-tags/src/inputs.js';
import { readInputs as readPromote } from '../packages/action-promote/src/inputs.js';
import { readInputs as readRollback } from '../packages/action-rollback/src/inputs.js';

/**
 * Issue 11 item 9: every malformed input of compute-tags, promote and rollback fails before any
 * request with an error that names the input, says what is wrong with the value, and gives a valid one.
 */
const SHA = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

function withInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) vi.stubEnv(`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

type Case = [input: string, overrides: Record<string, string>, message: RegExp];

const computeTags: Case[] = [
  ['images', { images: 'Acme/App' }, /^read input images: "Acme\/App" is not a valid image repository .*, e\.g\. ghcr\.io\/acme\/app$/],
  ['images', { images: 'ghcr.io/acme/app:1.0' }, /^read input images: "ghcr\.io\/acme\/app:1\.0" is not a valid image repository .*must not include a tag.*, e\.g\. ghcr\.io\/acme\/app$/],
  ['images', { images: '' }, /^read input images: give at least one image repository, e\.g\. ghcr\.io\/acme\/app$/],
  ['sha', { sha: 'xyz' }, /^read input sha: "xyz" .*, e\.g\. 4f1c2d3e/],
  ['floating', { floating: 'patch' }, /^read input floating: "patch" is not one of major, minor, latest, e\.g\. major, minor, latest$/],
  ['stamp', { stamp: 'prod-{nope}' }, /^read input stamp: parse stamp template "prod-\{nope\}": unknown placeholder \{nope\}.*, e\.g\. prod-\{date\}-\{sha\}$/],
  ['stamp', { stamp: 'prod {date}' }, /^read input stamp: .*OCI tag grammar.*, e\.g\. prod-\{date\}-\{sha\}$/],
  ['sha-tag', { 'sha-tag': 'yes' }, /^read input sha-tag: "yes" is not a boolean \(true or false\), e\.g\. true$/],
  ['registry-aware', { 'registry-aware': '1' }, /^read input registry-aware: "1" is not a boolean \(true or false\), e\.g\. true$/],
  ['branch-tags', { 'branch-tags': 'main' }, /^read input branch-tags: line "main" is not key=value, e\.g\. main=edge$/],
  ['staging-counter', { 'staging-counter': 'on' }, /^read input staging-counter: "on" is not a boolean/],
  ['staging-base', { 'staging-counter': 'true', 'github-token': 't', 'staging-base': '1.5' }, /^read input staging-base: "1\.5" is not X\.Y\.Z \(or vX\.Y\.Z\), e\.g\. 1\.5\.0$/],
  ['staging-version', { 'github-token': 't', 'staging-version': '1.5.0' }, /^read input staging-version: "1\.5\.0" is not a SemVer pre-release, e\.g\. 1\.5\.0-staging\.4$/],
  ['staging-version', { 'github-token': 't', 'staging-version': '1.5.0-staging.4', 'staging-base': '1.6.0' }, /^read input staging-version: "1\.5\.0-staging\.4" is not a pre-release of staging-base 1\.6\.0, e\.g\. 1\.6\.0-staging\.0$/],
  ['path', { 'staging-counter': 'true', 'github-token': 't', path: '../elsewhere' }, /^read input path: "\.\.\/elsewhere" must be a directory inside the workspace: .*, e\.g\. packages\/app$/],
];

const promote: Case[] = [
  ['image', { image: 'Acme/App' }, /^read input image: "Acme\/App" is not a valid image repository .*, e\.g\. ghcr\.io\/acme\/app$/],
  ['image', { image: 'ghcr.io/acme/app@sha256:1' }, /^read input image: .*must not include a digest.*, e\.g\. ghcr\.io\/acme\/app$/],
  ['source', { source: 'bad tag' }, /^read input source: "bad tag" is not a valid tag \(OCI tag grammar \[a-zA-Z0-9_\]\[a-zA-Z0-9._-\]\{0,127\}\): contains " ".*, e\.g\. 1\.4\.0/],
  ['source', { source: 'sha256:12' }, /^read input source: "sha256:12" is not a valid digest .*64 characters, got 2, e\.g\. 1\.4\.0/],
  ['destination', { destination: 'Acme/Prod' }, /^read input destination: "Acme\/Prod" is not a valid image repository .*, e\.g\. ghcr\.io\/acme\/app-prod$/],
  ['targets', { targets: 'x y' }, /^read input targets: "x y" is not a valid tag \(OCI tag grammar .*\): contains " ".*, e\.g\. prod/],
  ['targets', { targets: 'prod, -bad' }, /^read input targets: "-bad" is not a valid tag .*, e\.g\. prod/],
  ['targets', { targets: `${'a'.repeat(129)}` }, /^read input targets: "a+" is not a valid tag .*, e\.g\. prod/],
  ['targets', { targets: 'prod-{when}' }, /^read input targets: parse stamp template "prod-\{when\}": unknown placeholder.*, e\.g\. prod, or the stamp prod-\{date\}-\{sha\}$/],
  ['targets', { targets: '' }, /^read input targets: give at least one target tag, e\.g\. prod$/],
  ['sha', { targets: 'prod-{sha}', sha: 'nope' }, /^read input sha: "nope" is not a commit SHA; e\.g\. 4f1c2d3 .*, or empty for the image's revision label$/],
  ['dry-run', { 'dry-run': 'maybe' }, /^read input dry-run: "maybe" is not a boolean \(true or false\), e\.g\. true$/],
  ['copy-signatures', { 'copy-signatures': 'no' }, /^read input copy-signatures: "no" is not a boolean/],
  ['allow-downgrade', { 'allow-downgrade': 'y' }, /^read input allow-downgrade: "y" is not a boolean/],
  ['key-location', { 'key-location': 'https://acme.example/cosign.pub' }, /^read input key-location: .*but key is empty; give key too, e\.g\. key-location: https:\/\/acme\.example\/cosign\.pub$/],
  ['key-location', { key: 'keys/cosign.pub', 'key-location': 'my key.pub' }, /^read input key-location: "my key\.pub" is not a URL or path .*, e\.g\. https:\/\/acme\.example\/cosign\.pub$/],
  ['release', { release: 'final' }, /^read input release: "final" is not one of .*, e\.g\. /],
  ['version', { release: 'published', 'github-token': 't', version: '1.4' }, /^read input version: "1\.4" is not a SemVer 2\.0 version .*, e\.g\. 1\.4\.0$/],
  ['version', { release: 'published', 'github-token': 't', source: 'build-7' }, /^read input version: required when a release is requested .*; e\.g\. version: 1\.4\.0$/],
  ['release-notes', { release: 'published', 'github-token': 't', 'release-notes': 'changelog-file:../x.md' }, /^read input release-notes: changelog-file:\.\.\/x\.md: .*, e\.g\. changelog-file:CHANGELOG\.md$/],
  ['release-tag', { release: 'published', 'github-token': 't', 'release-tag': 'prod-{when}' }, /^read input release-tag: parse stamp template "prod-\{when\}": unknown placeholder.*, e\.g\. prod-\{date\}-\{sha\}$/],
  ['release-tag', { release: 'published', 'github-token': 't', 'release-tag': '{version}-prod' }, /^read input release-tag: \{version\} is not available .*, e\.g\. prod-\{date\}-\{sha\}$/],
  ['release-tag', { 'release-tag': 'prod-{date}-{sha}' }, /^read input release-tag: it names a release; give release: draft or published, e\.g\. release: published$/],
  ['release-notes', { release: 'published', 'github-token': 't', 'release-tag': 'prod-{date}-{sha}', 'release-notes': 'changelog-file:CHANGELOG.md' }, /^read input release-notes: changelog-file:CHANGELOG\.md needs a version, .*, e\.g\. release-notes: commits$/],
];

const rollback: Case[] = [
  ['image', { image: 'Not/A/Repo' }, /^read input image: "Not\/A\/Repo" is not a valid image repository .*, e\.g\. ghcr\.io\/acme\/app$/],
  ['track', { track: 'pr od' }, /^read input track: "pr od" is not a valid tag .*, e\.g\. prod$/],
  ['to', { to: 'sha256:xyz' }, /^read input to: "sha256:xyz" is not a valid digest .*, e\.g\. prod-20261110-bbbbbbb/],
  ['to', { to: 'bad tag' }, /^read input to: "bad tag" is not a valid tag .*, e\.g\. prod-20261110-bbbbbbb/],
  ['history', { history: 'prod-[' }, /^read input history: .*, e\.g\. prod-\*$/],
  ['history-template', { 'history-template': 'prod-{sha}' }, /^read input history-template: .*has no \{date\} or \{datetime\}.*, e\.g\. prod-\{date\}-\{sha\}$/],
  ['also', { also: 'latest, bad tag!' }, /^read input also: "bad tag!" is not a valid tag \(OCI tag grammar .*, e\.g\. latest$/],
  ['audit-tag', { 'audit-tag': 'prod-{date}-{sha}' }, /^read input audit-tag: .*read as promotion stamps.*, e\.g\. prod-rollback-\{datetime\}-from-\{sha\}$/],
  ['run-attempt', { 'run-attempt': 'two' }, /^read input run-attempt: "two" is not a positive whole number, e\.g\. 1$/],
  ['dry-run', { 'dry-run': 'perhaps' }, /^read input dry-run: "perhaps" is not a boolean/],
];

describe.each([
  ['compute-tags', readComputeTags, { images: 'ghcr.io/acme/app', ref: 'refs/tags/v1.4.0', sha: SHA }, computeTags],
  ['promote', readPromote, { image: 'ghcr.io/acme/app', source: '1.4.0', targets: 'prod' }, promote],
  ['rollback', readRollback, { image: 'ghcr.io/acme/app' }, rollback],
] as const)('%s inputs', (_action, read, valid, cases) => {
  it('reads the valid baseline', () => {
    withInputs(valid);
    expect(() => read()).not.toThrow();
  });

  it.each(cases)('when %s is malformed (%j), names it, the problem and a valid value', (_input, overrides, message) => {
    withInputs({ ...valid, ...overrides });
    let thrown: unknown;
    try {
      read();
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe('ConfigurationError');
    expect((thrown as Error).message).toMatch(message);
  });
});

describe('a truncated PEM key', () => {
  it('says it is truncated, with no raw OpenSSL code', () => {
    const truncated = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n';
    expect(() => parsePublicKey(truncated, 'input key')).toThrow(/^read input key: not a PEM public key: the PEM block is truncated \(no -----END …----- line\); give the whole cosign\.pub/);
  });

  it('says a corrupted block does not decode, with no raw OpenSSL code', () => {
    const corrupted = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n';
    let message = '';
    try {
      parsePublicKey(corrupted, 'input key');
    } catch (error: unknown) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^read input key: not a PEM public key: the PEM block does not decode to a public key/);
    expect(message).not.toMatch(/error:[0-9A-F]{8}|DECODER routines/);
  });
});

describe('the timeout input of every registry-facing action', () => {
  it.each([
    ['0s', /^read input timeout: "0s" is not more than zero, e\.g\. 5m$/],
    ['7h', /^read input timeout: "7h" is more than 6 hours, the longest a job runs, e\.g\. 5m$/],
    ['5 minutes', /^read input timeout: "5 minutes" is not a duration .*, e\.g\. 5m$/],
  ])('refuses %s', (value, message) => {
    withInputs({ image: 'ghcr.io/acme/app', source: '1.4.0', targets: 'prod', timeout: value });
    expect(() => readPromote()).toThrow(message);
  });

  it.each([
    ['', 300_000],
    ['3s', 3_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['PT2M', 120_000],
  ])('reads %j as %d ms', (value, ms) => {
    withInputs({ image: 'ghcr.io/acme/app', source: '1.4.0', targets: 'prod', timeout: value });
    expect(readPromote().registry.timeoutMs).toBe(ms);
  });
});
