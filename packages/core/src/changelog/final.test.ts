import { describe, expect, it } from 'vitest';
import { changelogSectionFinal } from './final.js';

const kac = (heading: string, body = '### Fixed\n\n- a bug') => ({ kind: 'keep-a-changelog' as const, content: `# Changelog\n\n${heading}\n\n${body}\n\n## [1.4.0] - 2026-01-01\n\n- old\n` });
const file = (content: string) => ({ kind: 'per-version' as const, template: 'CHANGELOGS/{version}.md', files: { 'CHANGELOGS/1.5.0.md': content } });

describe('changelogSectionFinal', () => {
  it.each([
    ['a dated Keep a Changelog section', kac('## [1.5.0] - 2026-03-04'), true, /"## \[1.5.0\] - 2026-03-04", 3 line/],
    ['a changesets heading without date', kac('## 1.5.0'), true, /1 line|3 line/],
    ['a TBD date', kac('## [1.5.0] - TBD'), false, /not final/],
    ['Unreleased', kac('## [1.5.0] - Unreleased'), false, /not final/],
    ['an empty date', kac('## [1.5.0] - '), false, /empty date/],
    ['a date that is not YYYY-MM-DD', kac('## [1.5.0] - March'), false, /no YYYY-MM-DD/],
    ['an empty body', kac('## [1.5.0] - 2026-03-04', ''), false, /section is empty/],
    ['no section', kac('## [1.6.0] - 2026-03-04'), false, /no "## \[1.5.0\]"/],
    ['a per-version file with a dated heading', file('# 1.5.0 - 2026-03-04\n\n- a change\n'), true, /CHANGELOGS\/1.5.0.md/],
    ['a per-version file without heading', file('- a change\n'), true, /1 line/],
    ['a per-version file with a TBD heading', file('# 1.5.0 (TBD)\n\n- a change\n'), false, /not final/],
    ['a per-version file with only its heading', file('# 1.5.0 - 2026-03-04\n'), false, /body under its heading is empty/],
  ])('%s', (_name, source, passed, reason) => {
    const verdict = changelogSectionFinal('1.5.0', source);
    expect(verdict.passed).toBe(passed);
    expect(verdict.reason).toMatch(reason);
  });
});
