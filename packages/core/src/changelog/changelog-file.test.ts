import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { changelogPaths, notesFromChangelog } from './changelog-file.js';

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
