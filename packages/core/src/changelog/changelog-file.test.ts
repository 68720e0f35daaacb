import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { changelogPaths, notesFromChangelog, stagingBuildOf } from './changelog-file.js';

const keepAChangelog = `# Changelog

All notable changes.

## [Unreleased]

- wip

## [1.2.0] - 2026-11-01

### Added

- staging counter

\`\`\`md
## not a heading
\`\`\`

## [1.1.0] - 2026-10-01

### Fixed

- retries

## 1.0.0

- first

## [0.9.0]

[1.2.0]: https://github.com/acme/app/compare/v1.1.0...v1.2.0
[1.1.0]: https://github.com/acme/app/compare/v1.0.0...v1.1.0
`;

describe('notesFromChangelog', () => {
  describe('when the changelog is in Keep a Changelog form', () => {
    it.each([
      ['1.2.0', '### Added\n\n- staging counter\n\n```md\n## not a heading\n```\n'],
      ['v1.1.0', '### Fixed\n\n- retries\n'],
      ['1.0.0', '- first\n'],
    ])('returns the section of %s without its heading', (version, expected) => {
      expect(notesFromChangelog(version, { kind: 'keep-a-changelog', content: keepAChangelog })).toBe(expected);
    });

    it.each([
      ['2.0.0', 'no "## [2.0.0]" or "## 2.0.0" section'],
      ['0.9.0', 'the section is empty'],
    ])('refuses %s: %s', (version, message) => {
      const run = (): string => notesFromChangelog(version, { kind: 'keep-a-changelog', content: keepAChangelog });
      expect(run).toThrow(ConfigurationError);
      expect(run).toThrow(message);
    });
  });

  describe('when there is one file per version', () => {
    const files = { 'CHANGELOGS/1.2.0.md': '\n## Highlights\n\n- x\n', 'CHANGELOGS/v2.0.0.md': 'big', 'CHANGELOGS/3.0.0.md': '  \n' };

    it.each([
      ['1.2.0', '## Highlights\n\n- x\n'],
      ['v1.2.0', '## Highlights\n\n- x\n'],
      ['2.0.0', 'big\n'],
    ])('reads %s', (version, expected) => {
      expect(notesFromChangelog(version, { kind: 'per-version', template: 'CHANGELOGS/{version}.md', files })).toBe(expected);
    });

    it.each([
      ['1.3.0', 'no file "CHANGELOGS/1.3.0.md" or "CHANGELOGS/v1.3.0.md"'],
      ['3.0.0', 'the file is empty'],
    ])('refuses %s: %s', (version, message) => {
      const run = (): string => notesFromChangelog(version, { kind: 'per-version', template: 'CHANGELOGS/{version}.md', files });
      expect(run).toThrow(ConfigurationError);
      expect(run).toThrow(message);
    });
  });
});

describe('changelogPaths', () => {
  describe('when the template is bad', () => {
    it.each(['CHANGELOG.md', '/etc/{version}', '../{version}.md', 'a/../../{version}'])('rejects %j', (template) => {
      expect(() => changelogPaths('1.0.0', template)).toThrow(ConfigurationError);
      expect(() => changelogPaths('1.0.0', template)).toThrow(JSON.stringify(template));
    });
  });
});

describe('stagingBuildOf', () => {
  it.each([
    ['1.5.0-staging.3', { base: '1.5.0', build: 3 }],
    ['v1.5.0-staging.0', { base: '1.5.0', build: 0 }],
    ['1.5.0', undefined],
    ['1.5.0-rc.1', undefined],
    ['1.5.0-staging.03', undefined],
  ])('reads %s', (version, expected) => {
    expect(stagingBuildOf(version)).toEqual(expected);
  });
});

describe('notesFromChangelog of a staging build X.Y.Z-staging.N', () => {
  const files = { 'CHANGELOGS/1.5.0.md': '## Highlights\n\n- sets\n' };

  it.each(['CHANGELOGS/{base}.md', 'CHANGELOGS/{version}.md'])('reads the base file with %s and says which staging build the notes are', (template) => {
    expect(changelogPaths('1.5.0-staging.3', template)).toContain('CHANGELOGS/1.5.0.md');
    expect(notesFromChangelog('1.5.0-staging.3', { kind: 'per-version', template, files })).toBe('Staging build 3 of 1.5.0.\n\n## Highlights\n\n- sets\n');
  });

  it('prefers the build\'s own file when it has one', () => {
    const own = { ...files, 'CHANGELOGS/1.5.0-staging.3.md': 'hot fix build\n' };
    expect(notesFromChangelog('1.5.0-staging.3', { kind: 'per-version', template: 'CHANGELOGS/{version}.md', files: own })).toBe('Staging build 3 of 1.5.0.\n\nhot fix build\n');
  });

  it('reads the base section of a Keep a Changelog file', () => {
    expect(notesFromChangelog('1.2.0-staging.7', { kind: 'keep-a-changelog', content: keepAChangelog })).toMatch(/^Staging build 7 of 1\.2\.0\.\n\n### Added\n\n- staging counter/);
  });

  it('names both the build and the base when neither is there', () => {
    expect(() => notesFromChangelog('1.6.0-staging.1', { kind: 'per-version', template: 'CHANGELOGS/{base}.md', files })).toThrow('no file "CHANGELOGS/1.6.0.md" or "CHANGELOGS/v1.6.0.md"');
  });

  it('renders {base} of a plain version as the version itself', () => {
    expect(changelogPaths('v2.0.0', 'CHANGELOGS/{base}.md')).toEqual(['CHANGELOGS/v2.0.0.md', 'CHANGELOGS/2.0.0.md']);
  });
});
