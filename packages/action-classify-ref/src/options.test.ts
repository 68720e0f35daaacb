import { ConfigurationError } from '@tagwright/core';
import { describe, expect, it } from 'vitest';
import { validateInputs } from './options.js';

const label = (name: string) => `input ${name}`;

describe('validateInputs', () => {
  describe('when the options are valid', () => {
    it('fills the defaults', () => {
      expect(validateInputs({ ref: 'refs/tags/v1.2.3', checkout: false }, label)).toEqual({
        ref: 'refs/tags/v1.2.3',
        path: '.',
        remote: 'origin',
        checkout: false,
      });
    });

    it.each(['tag', 'branch'] as const)('keeps prefer %s', (prefer) => {
      expect(validateInputs({ ref: 'same', prefer, checkout: true }, label)).toMatchObject({ prefer, checkout: true });
    });

    it('treats an empty prefer as none', () => {
      expect(validateInputs({ ref: 'same', prefer: '', checkout: false }, label)).not.toHaveProperty('prefer');
    });
  });

  describe('when an option is wrong', () => {
    it.each([
      [{ checkout: false }, 'read input ref: it is required and was empty', 'MISSING_INPUT'],
      [{ ref: '', checkout: false }, 'read input ref: it is required and was empty', 'MISSING_INPUT'],
      [{ ref: 'v1 2', checkout: false }, 'read input ref: "v1 2" contains whitespace or control characters, which no git ref may hold'],
      [{ ref: 'v1\n2', checkout: false }, 'read input ref: "v1\\n2" contains whitespace or control characters, which no git ref may hold'],
      [{ ref: '--upload-pack=x', checkout: false }, 'read input ref: "--upload-pack=x" starts with "-", which no git ref may'],
      [{ ref: 'main', remote: '-x', checkout: false }, 'read input remote: "-x" is not a git remote name (empty, starting with "-", or holding whitespace)'],
      [{ ref: 'main', prefer: 'tags', checkout: false }, 'read input prefer: "tags" is not one of tag, branch (or empty to fail on an ambiguous name)'],
    ])('%j fails naming the input', (raw, message, code = 'INVALID_INPUT') => {
      expect(() => validateInputs(raw, label)).toThrow(new ConfigurationError(code, message));
    });

    it('names the flag for the command line', () => {
      expect(() => validateInputs({ ref: 'main', prefer: 'x', checkout: false }, (name) => `--${name}`)).toThrow(/^read --prefer: "x"/);
    });
  });
});
