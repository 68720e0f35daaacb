import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { detectForge, forgejoFlavorOf } from './detect.js';

/** A fetch that must not be called: detection decided from the URLs alone. */
const noRequest = (async () => {
  throw new Error('detectForge sent a request');
}) satisfies typeof globalThis.fetch;

describe('forgejoFlavorOf', () => {
  it.each([
    ['11.0.3+gitea-1.22.0', 'forgejo'],
    ['7.0.0+gitea-1.21.0', 'forgejo'],
    ['1.22.0', 'gitea'],
    ['1.23.0-rc0', 'gitea'],
    ['', undefined],
    ['latest', undefined],
    ['<html>', undefined],
  ])('reads %j as %s', (version, flavor) => {
    expect(forgejoFlavorOf(version)).toBe(flavor);
  });
});

describe('detectForge', () => {
  describe('when the URLs say GitHub', () => {
    it.each([
      [{ serverUrl: 'https://github.com', apiUrl: 'https://api.github.com' }, 'https://api.github.com'],
      [{ serverUrl: 'https://github.com' }, 'https://api.github.com'],
      [{ serverUrl: 'https://ghe.example.com', apiUrl: 'https://ghe.example.com/api/v3' }, 'https://ghe.example.com/api/v3'],
    ])('answers github for %j without a request', async (urls, apiUrl) => {
      await expect(detectForge({ ...urls, fetch: noRequest })).resolves.toMatchObject({ forge: 'github', apiUrl });
    });
  });

  describe('when the forge input forces it', () => {
    it('uses forgejo and its /api/v1 without a request', async () => {
      await expect(detectForge({ serverUrl: 'https://code.example/', forge: 'forgejo', fetch: noRequest })).resolves.toEqual({
        forge: 'forgejo',
        serverUrl: 'https://code.example',
        apiUrl: 'https://code.example/api/v1',
        reason: 'forge: forgejo was given',
      });
    });

    it('uses github on any server without a request', async () => {
      await expect(detectForge({ serverUrl: 'https://code.example', forge: 'github', fetch: noRequest })).resolves.toMatchObject({
        forge: 'github',
        apiUrl: 'https://code.example/api/v3',
      });
    });
  });

  describe('when the input is wrong', () => {
    it.each([
      [{ serverUrl: 'not a url' }, /server URL "not a url" is not a URL/],
      [{ serverUrl: 'ftp://code.example' }, /must be an http\(s\) URL/],
      [{ serverUrl: 'https://user:secret@code.example' }, /must be an http\(s\) URL without credentials/],
      [{ serverUrl: 'https://code.example', forge: 'gitlab' as never }, /input forge "gitlab" must be auto, github or forgejo/],
    ])('refuses %j before any request', async (options, message) => {
      const error = await detectForge({ ...options, fetch: noRequest }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('secret');
    });

    it('refuses an API URL that is neither GitHub nor the server /api/v1, without a request', async () => {
      const error = await detectForge({ serverUrl: 'https://code.example', apiUrl: 'https://other.example/api', fetch: noRequest }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FORGE_UNKNOWN' });
      expect((error as Error).message).toContain('Set the input forge to github or forgejo');
    });
  });
});
