import { describe, expect, it } from 'vitest';
import { lastError, translateLine } from './log.js';

describe('translateLine', () => {
  const options = { debug: false, quiet: false };

  it.each([
    ['::add-mask::s3cret', undefined],
    ['::error::read input image: it is required%0Aand was empty', 'error: read input image: it is required\nand was empty'],
    ['::warning file=x,line=1::no signature verified', 'warning: no signature verified'],
    ['::notice::done', 'notice: done'],
    ['::debug::GET /v2/', undefined],
    ['::group::Plan', 'Plan'],
    ['::endgroup::', undefined],
    ['resolved sha-4f1c2d3 to sha256:abc', 'resolved sha-4f1c2d3 to sha256:abc'],
  ])('shows %j as %j', (line, shown) => {
    expect(translateLine(line, options)).toBe(shown);
  });

  it('keeps only warnings and errors when quiet', () => {
    expect(translateLine('resolved sha-4f1c2d3', { debug: false, quiet: true })).toBeUndefined();
    expect(translateLine('::warning::w', { debug: false, quiet: true })).toBe('warning: w');
  });

  it('shows debug lines with debug on, and never a mask', () => {
    expect(translateLine('::debug::GET /v2/', { debug: true, quiet: false })).toBe('debug: GET /v2/');
    expect(translateLine('::add-mask::s3cret', { debug: true, quiet: false })).toBeUndefined();
  });
});

describe('translateLine in a GitHub or Forgejo Actions step', () => {
  const options = { debug: false, quiet: false, workflowCommands: true };

  it('keeps annotations and groups for the runner, and still drops masks', () => {
    expect(translateLine('::error::no signature', options)).toBe('::error::no signature');
    expect(translateLine('::warning::w', options)).toBe('::warning::w');
    expect(translateLine('::group::Plan', options)).toBe('::group::Plan');
    expect(translateLine('::add-mask::s3cret', options)).toBeUndefined();
  });
});

describe('lastError', () => {
  it('is the message of the last ::error:: line', () => {
    expect(lastError('a\n::error::first\nb\n::error::second%25\n')).toBe('second%');
    expect(lastError('a\n')).toBeUndefined();
  });
});
