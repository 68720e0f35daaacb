import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { isOciTag, parseStamp, renderStamp, sanitizeBranchTag, validateStampTemplate } from './index.js';

const now = new Date('2026-11-22T10:15:07Z');
const sha = 'ABC1234def5678abc1234def5678abc1234def56';

function thrown(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('renderStamp', () => {
  describe('when the template is valid', () => {
    it.each([
      ['prod-{date}-{sha}', {}, 'prod-20261122-abc1234'],
      ['prod-{datetime}-{sha}', {}, 'prod-20261122-101507-abc1234'],
      ['{date}', {}, '20261122'],
      ['build_{sha}', {}, 'build_abc1234'],
      ['prod-{version}-{date}', { version: '1.2.3-build.5' }, 'prod-1.2.3-build.5-20261122'],
      ['prod-{version}', { version: '1.2.3+build.5' }, 'prod-1.2.3-build.5'],
      ['nightly', {}, 'nightly'],
    ])('renders %s as %s', (template, extra, expected) => {
      expect(renderStamp(template, { now, sha, ...extra })).toBe(expected);
      expect(isOciTag(expected)).toBe(true);
    });

    it('renders in UTC whatever the time zone offset of the date was written with', () => {
      const late = new Date('2026-11-22T23:30:00-05:00');
      expect(renderStamp('{datetime}', { now: late, sha })).toBe('20261123-043000');
    });
  });

  describe('when the values cannot be rendered', () => {
    it.each([
      ['prod-{sha}', { sha: 'xyz' }, 'the commit SHA "xyz" is not 7 to 64 hexadecimal digits'],
      ['prod-{sha}', { sha: 'abc12' }, 'is not 7 to 64 hexadecimal digits'],
      ['prod-{version}', {}, '{version} is used but this build has no release version'],
      ['prod-{date}', { now: new Date('nope') }, 'the build time is not a valid date'],
      ['{version}', { version: '.1.2.3' }, 'is outside the OCI tag grammar'],
      [`p${'x'.repeat(110)}-{version}`, { version: '1.2.3-rc.1.2.3.4.5.6.7.8.9' }, 'is outside the OCI tag grammar'],
    ])('%s throws naming the template and the problem', (template, extra, problem) => {
      const error = thrown(() => renderStamp(template, { now, sha, ...extra }));
      expect(error.message).toContain(`render stamp template ${JSON.stringify(template)}: `);
      expect(error.message).toContain(problem);
    });
  });
});

describe('validateStampTemplate', () => {
  describe('when the template is valid', () => {
    it.each([
      ['prod-{date}-{sha}', ['date', 'sha'], true],
      ['prod-{datetime}-{sha}', ['datetime', 'sha'], true],
      ['{version}-{sha}', ['version', 'sha'], false],
      ['nightly', [], false],
    ])('reads %s', (template, placeholders, hasTime) => {
      expect(validateStampTemplate(template)).toEqual({ template, placeholders, hasTime });
    });
  });

  describe('when the template is bad', () => {
    it.each([
      ['', 'is empty'],
      ['prod-{when}', 'unknown placeholder {when}; known placeholders: {date}, {datetime}, {sha}, {version}'],
      ['prod-{DATE}', 'unknown placeholder {DATE}'],
      ['prod-{}', 'unknown placeholder {}'],
      ['prod-{date', 'unbalanced braces: "{" at position 5 is not closed'],
      ['prod-date}', 'unbalanced braces: "}" at position 9 has no opening "{"'],
      ['prod-{{date}}', 'unbalanced braces: "{" at position 5 is not closed'],
      ['prod/{date}', '"/" is not allowed'],
      ['prod {date}', '" " is not allowed'],
      ['prod+{sha}', '"+" is not allowed'],
      ['-prod-{date}', 'a tag cannot start with "-"'],
      ['.{date}', 'a tag cannot start with "."'],
      [`${'p'.repeat(120)}-{datetime}`, 'the result would be at least 136 characters; an OCI tag has at most 128'],
    ])('%j throws a ConfigurationError: %s', (template, problem) => {
      const error = thrown(() => validateStampTemplate(template));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message.startsWith(`parse stamp template ${JSON.stringify(template)}: `)).toBe(true);
      expect(error.message).toContain(problem);
    });

    it('is checked by renderStamp and parseStamp too, before rendering', () => {
      expect(() => renderStamp('prod-{when}', { now, sha })).toThrow(ConfigurationError);
      expect(() => parseStamp('prod-1', 'prod-{when}')).toThrow(/unknown placeholder \{when\}/);
    });
  });
});

describe('parseStamp', () => {
  describe('when the tag matches the template', () => {
    it.each([
      ['prod-20261122-abc1234', 'prod-{date}-{sha}', '2026-11-22T00:00:00.000Z', 'abc1234'],
      ['prod-20261122-101500-abc1234', 'prod-{datetime}-{sha}', '2026-11-22T10:15:00.000Z', 'abc1234'],
      ['20240229', '{date}', '2024-02-29T00:00:00.000Z', undefined],
      ['rel.19991231-235959', 'rel.{datetime}', '1999-12-31T23:59:59.000Z', undefined],
    ])('reads %s with %s', (tag, template, date, readSha) => {
      const parsed = parseStamp(tag, template);
      expect(parsed?.date.toISOString()).toBe(date);
      expect(parsed?.sha).toBe(readSha);
    });

    it('reads the version back', () => {
      expect(parseStamp('prod-1.2.3-rc.1-20261122', 'prod-{version}-{date}')).toEqual({
        date: new Date('2026-11-22T00:00:00Z'),
        version: '1.2.3-rc.1',
      });
    });
  });

  describe('when the tag does not match', () => {
    it.each([
      ['prod-20261122-101500-abc1234', 'prod-{date}-{sha}'],
      ['prod-20261122-abc1234', 'prod-{datetime}-{sha}'],
      ['prod-rollback-20261122-101500-from-abc1234', 'prod-{datetime}-{sha}'],
      ['staging-20261122-abc1234', 'prod-{date}-{sha}'],
      ['prod-20261122-ABC1234', 'prod-{date}-{sha}'],
      ['prod-20261340-abc1234', 'prod-{date}-{sha}'],
      ['prod-20230229-abc1234', 'prod-{date}-{sha}'],
      ['prod-20261122-246000-abc1234', 'prod-{datetime}-{sha}'],
      ['latest', 'prod-{date}-{sha}'],
      ['prodX20261122-abc1234', 'prod.{date}-{sha}'],
      ['nightly', 'nightly'],
    ])('gives undefined for %s with %s', (tag, template) => {
      expect(parseStamp(tag, template)).toBeUndefined();
    });
  });

  describe('when round-tripping renderStamp', () => {
    it.each(['prod-{date}-{sha}', 'prod-{datetime}-{sha}', '{sha}.{datetime}', 'x_{date}_{datetime}'])(
      'reads back the time and sha rendered by %s',
      (template) => {
        fc.assert(
          fc.property(
            fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
            fc.stringMatching(/^[0-9a-f]{40}$/),
            (when, commit) => {
              const tag = renderStamp(template, { now: when, sha: commit });
              const parsed = parseStamp(tag, template);
              const expected = new Date(when);
              expected.setUTCMilliseconds(0);
              if (!template.includes('{datetime}')) expected.setUTCHours(0, 0, 0, 0);
              expect(parsed?.date.toISOString()).toBe(expected.toISOString());
              if (template.includes('{sha}')) expect(parsed?.sha).toBe(commit.slice(0, 7));
            },
          ),
          { numRuns: 200 },
        );
      },
    );
  });
});

describe('sanitizeBranchTag', () => {
  it.each([
    ['main', 'main'],
    ['feature/x', 'feature-x'],
    ['feature//x', 'feature-x'],
    ['user@team/fix#12', 'user-team-fix-12'],
    ['-leading', 'leading'],
    ['.hidden/x', 'hidden-x'],
    ['Release_1.x', 'Release_1.x'],
    ['@@', ''],
    ['a'.repeat(200), 'a'.repeat(128)],
  ])('maps %s to %j', (branch, tag) => {
    expect(sanitizeBranchTag(branch)).toBe(tag);
    if (tag !== '') expect(isOciTag(tag)).toBe(true);
  });
});
