import { describe, expect, it } from 'vitest';
import { parseOutputFile } from './output-file.js';

describe('parseOutputFile', () => {
  it('reads name=value lines and the heredocs @actions/core writes', () => {
    expect(parseOutputFile('a=1\nb<<ghadelimiter_x\nline 1\nline 2\nghadelimiter_x\nc=x=y\n')).toEqual({ a: '1', b: 'line 1\nline 2', c: 'x=y' });
  });
});
