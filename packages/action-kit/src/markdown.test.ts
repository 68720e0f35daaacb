import { describe, expect, it } from 'vitest';
import { markdownTable } from './markdown.js';

describe('markdownTable', () => {
  it('escapes pipes and newlines in cells', () => {
    expect(markdownTable(['a', 'b'], [['x|y', 'one\ntwo']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | one two |\n');
  });
});
