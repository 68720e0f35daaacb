import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { chainKeychains, dockerConfigKeychain, staticKeychain } from './keychain.js';
import type { Keychain } from './keychain.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('dockerConfigKeychain', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tagwright-keychain-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const writeConfig = async (path: string, config: unknown): Promise<void> => {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
  };

  describe('when docker/login-action wrote config.json', () => {
    it.each([
      ['an auth field', { auth: b64('octocat:ghp_secret:with:colons') }, { username: 'octocat', password: 'ghp_secret:with:colons' }],
      ['username and password', { username: 'robot', password: 'pw' }, { username: 'robot', password: 'pw' }],
      ['an identity token', { auth: b64('<token>:'), identitytoken: 'refresh-123' }, { username: '<token>', password: '', identityToken: 'refresh-123' }],
      ['a registry token', { registrytoken: 'bearer-abc' }, { registryToken: 'bearer-abc' }],
    ])('reads %s', async (_name, entry, expected) => {
      const configPath = join(dir, 'config.json');
      await writeConfig(configPath, { auths: { 'ghcr.io': entry } });
      const keychain = dockerConfigKeychain({ configPath });
      expect(await keychain.resolve('ghcr.io')).toEqual(expected);
      expect(await keychain.resolve('quay.io')).toBeUndefined();
    });
  });

  describe('when the config is found through the environment', () => {
    it('reads $DOCKER_CONFIG/config.json', async () => {
      await writeConfig(join(dir, 'docker-config', 'config.json'), { auths: { '127.0.0.1:5000': { auth: b64('a:b') } } });
      const keychain = dockerConfigKeychain({ env: { DOCKER_CONFIG: join(dir, 'docker-config') }, homeDir: join(dir, 'nohome') });
      expect(await keychain.resolve('127.0.0.1:5000')).toEqual({ username: 'a', password: 'b' });
    });

    it('falls back to <home>/.docker/config.json', async () => {
      await writeConfig(join(dir, 'home', '.docker', 'config.json'), { auths: { 'ghcr.io': { auth: b64('u:p') } } });
      const keychain = dockerConfigKeychain({ env: {}, homeDir: join(dir, 'home') });
      expect(await keychain.resolve('ghcr.io')).toEqual({ username: 'u', password: 'p' });
    });
  });

  describe('when the entry is for Docker Hub', () => {
    it.each(['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'])(
      'resolves docker.io and its aliases from a %j key',
      async (key) => {
        const configPath = join(dir, 'config.json');
        await writeConfig(configPath, { auths: { [key]: { auth: b64('hubuser:hubpass') } } });
        const keychain = dockerConfigKeychain({ configPath });
        for (const registry of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
          expect(await keychain.resolve(registry)).toEqual({ username: 'hubuser', password: 'hubpass' });
        }
      },
    );
  });

  describe('when there is no usable file', () => {
    it('gives no credentials when the file is missing', async () => {
      const keychain = dockerConfigKeychain({ configPath: join(dir, 'missing.json') });
      expect(await keychain.resolve('ghcr.io')).toBeUndefined();
    });

    it('ignores entries without credentials (credential helpers are not run)', async () => {
      const configPath = join(dir, 'config.json');
      await writeConfig(configPath, { auths: { 'ghcr.io': {} }, credsStore: 'desktop' });
      expect(await dockerConfigKeychain({ configPath }).resolve('ghcr.io')).toBeUndefined();
    });

    it('names the file, and not its content, when it is not JSON', async () => {
      const configPath = join(dir, 'config.json');
      await writeConfig(configPath, '{"auths": {"ghcr.io": {"auth": "c2VjcmV0"}');
      const resolving = dockerConfigKeychain({ configPath }).resolve('ghcr.io');
      await expect(resolving).rejects.toBeInstanceOf(ConfigurationError);
      await expect(resolving).rejects.toThrow(`read Docker config ${configPath}: not valid JSON`);
    });
  });
});

describe('staticKeychain', () => {
  it('resolves by host, accepting Docker Hub aliases as keys', async () => {
    const keychain = staticKeychain({ 'https://index.docker.io/v1/': { username: 'a', password: 'b' }, 'GHCR.io': { password: 'c' } });
    expect(await keychain.resolve('docker.io')).toEqual({ username: 'a', password: 'b' });
    expect(await keychain.resolve('ghcr.io')).toEqual({ password: 'c' });
    expect(await keychain.resolve('quay.io')).toBeUndefined();
  });
});

describe('chainKeychains', () => {
  it('returns the first credential found, in order', async () => {
    const empty = { resolve: () => Promise.resolve(undefined) } satisfies Keychain;
    const first = staticKeychain({ 'ghcr.io': { username: 'input' } });
    const second = staticKeychain({ 'ghcr.io': { username: 'config' }, 'quay.io': { username: 'config' } });
    const keychain = chainKeychains(empty, first, second);
    expect(await keychain.resolve('ghcr.io')).toEqual({ username: 'input' });
    expect(await keychain.resolve('quay.io')).toEqual({ username: 'config' });
    expect(await keychain.resolve('docker.io')).toBeUndefined();
  });
});
