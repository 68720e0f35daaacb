import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { readBaseVersion } from './staging.js';

const files: Record<string, string> = {
  'ok/package.json': '{"name":"app","version":"1.4.0"}',
  'pre/package.json': '{"version":"1.4.0-rc.1"}',
  'vv/package.json': '{"version":"vv1.4.0"}',
  'none/package.json': '{"name":"app"}',
  'broken/package.json': '{',
};
const readFile = async (path: string): Promise<string> => {
  const content = files[path];
  if (content === undefined) throw new Error(`ENOENT: ${path}`);
  return content;
};

describe('readBaseVersion', () => {
  describe('when an input is given', () => {
    it('uses it over package.json', async () => {
      expect(await readBaseVersion({ input: ' 2.0.0 ', packageJsonPath: 'ok/package.json', readFile })).toBe('2.0.0');
    });
  });

  describe('when only package.json is given', () => {
    it('reads its version', async () => {
      expect(await readBaseVersion({ input: '', packageJsonPath: 'ok/package.json', readFile })).toBe('1.4.0');
    });

    it.each([
      ['pre/package.json', '"1.4.0-rc.1" is not X.Y.Z'],
      ['vv/package.json', '"vv1.4.0" is not X.Y.Z'],
      ['none/package.json', 'it has no "version"'],
      ['broken/package.json', 'read the base version from broken/package.json'],
      ['missing/package.json', 'ENOENT'],
    ])('refuses %s: %s', async (path, message) => {
      await expect(readBaseVersion({ packageJsonPath: path, readFile })).rejects.toThrow(ConfigurationError);
      await expect(readBaseVersion({ packageJsonPath: path, readFile })).rejects.toThrow(message);
    });
  });

  describe('when nothing is given', () => {
    it('asks for a version', async () => {
      await expect(readBaseVersion({})).rejects.toMatchObject({ code: 'MISSING_INPUT' });
    });
  });
});
