import { describe, expect, it } from 'vitest';
import { readCiContext, withRegistryLogin } from './ci-context.js';

const SHA = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

describe('readCiContext', () => {
  describe('when the variables are GitHub Actions or Forgejo Actions ones', () => {
    it('passes GITHUB_* through and reads ref, sha and run attempt from them', () => {
      const context = readCiContext({ GITHUB_ACTIONS: 'true', GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_SHA: SHA, GITHUB_RUN_ATTEMPT: '2', GITHUB_EVENT_NAME: 'push' });
      expect(context.provider).toBe('github');
      expect(context.github).toEqual({ ref: 'refs/tags/v1.2.3', sha: SHA, run_attempt: '2' });
      expect(context.env).toMatchObject({ GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_SHA: SHA, GITHUB_EVENT_NAME: 'push' });
      expect(context.registryLogin).toBeUndefined();
    });

    it('leaves run_attempt out when Forgejo does not set it', () => {
      expect(readCiContext({ GITHUB_ACTIONS: 'true', GITHUB_REF: 'refs/heads/main', GITHUB_SHA: SHA }).github).toEqual({ ref: 'refs/heads/main', sha: SHA });
    });
  });

  describe('when the variables are GitLab CI ones', () => {
    const base = { GITLAB_CI: 'true', CI_COMMIT_SHA: SHA, CI_COMMIT_REF_NAME: 'main', CI_PROJECT_PATH: 'acme/app', CI_PIPELINE_ID: '42', CI_PROJECT_DIR: '/builds/acme/app' };

    it.each([
      ['a tag pipeline', { CI_COMMIT_TAG: 'v1.2.3', CI_COMMIT_REF_NAME: 'v1.2.3' }, 'refs/tags/v1.2.3', 'push'],
      ['a branch pipeline', { CI_COMMIT_BRANCH: 'feature/x' }, 'refs/heads/feature/x', 'push'],
      ['a pipeline with only CI_COMMIT_REF_NAME', {}, 'refs/heads/main', 'push'],
      ['a scheduled pipeline', { CI_COMMIT_BRANCH: 'main', CI_PIPELINE_SOURCE: 'schedule' }, 'refs/heads/main', 'schedule'],
      ['a merge request pipeline', { CI_MERGE_REQUEST_IID: '7', CI_PIPELINE_SOURCE: 'merge_request_event' }, 'refs/merge-requests/7/head', 'pull_request'],
    ])('maps %s to its ref and event', (_, vars, ref, event) => {
      const context = readCiContext({ ...base, ...vars });
      expect(context.provider).toBe('gitlab');
      expect(context.github).toEqual({ ref, sha: SHA });
      expect(context.env).toEqual({
        GITHUB_REF: ref,
        GITHUB_SHA: SHA,
        GITHUB_EVENT_NAME: event,
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_WORKSPACE: '/builds/acme/app',
        GITHUB_RUN_ID: '42',
      });
    });

    it('gives a merge request the pull request payload with its IID as the number', () => {
      expect(readCiContext({ ...base, CI_MERGE_REQUEST_IID: '7' }).eventPayload).toEqual({ pull_request: { number: 7 } });
    });

    it('logs in to CI_REGISTRY with CI_REGISTRY_USER and CI_REGISTRY_PASSWORD, and names no value in sources', () => {
      const context = readCiContext({ ...base, CI_REGISTRY: 'registry.gitlab.com', CI_REGISTRY_USER: 'gitlab-ci-token', CI_REGISTRY_PASSWORD: 'job-token-1234' });
      expect(context.registryLogin).toEqual({ host: 'registry.gitlab.com', username: 'gitlab-ci-token', password: 'job-token-1234' });
      expect(JSON.stringify(context.sources)).not.toContain('job-token-1234');
      expect(JSON.stringify(context.env)).not.toContain('job-token-1234');
    });
  });

  it('reads nothing outside a CI', () => {
    expect(readCiContext({ HOME: '/root' })).toEqual({ provider: 'none', env: {}, github: {}, sources: {} });
  });
});

describe('withRegistryLogin', () => {
  const login = { host: 'registry.example.com:5050', username: 'u', password: 'p4ss' };

  it('adds an auths entry for the host, keeping the rest of the config', () => {
    const config = withRegistryLogin({ auths: { 'ghcr.io': { auth: 'eDp5' } }, credsStore: 'desktop' }, login);
    expect(config).toEqual({
      auths: { 'ghcr.io': { auth: 'eDp5' }, 'registry.example.com:5050': { auth: Buffer.from('u:p4ss').toString('base64') } },
      credsStore: 'desktop',
    });
  });

  it('keeps credentials the config already has for the host (docker login wins)', () => {
    const config = { auths: { 'https://registry.example.com:5050': { auth: 'b3RoZXI6b3RoZXI=' } } };
    expect(withRegistryLogin(config, login)).toBe(config);
  });
});
