import { describe, expect, it } from 'vitest';
import { readWorkflowContext } from './context.js';

describe('readWorkflowContext', () => {
  describe('when the runner sets the variables', () => {
    it('reads each once, typed', () => {
      expect(
        readWorkflowContext({
          GITHUB_REF: 'refs/tags/v1.2.3',
          GITHUB_SHA: 'a'.repeat(40),
          GITHUB_EVENT_NAME: 'push',
          GITHUB_EVENT_PATH: '/tmp/event.json',
          GITHUB_RUN_ATTEMPT: '2',
          GITHUB_REPOSITORY: 'acme/app',
          GITHUB_SERVER_URL: 'https://ghe.example.com',
          GITHUB_API_URL: 'https://ghe.example.com/api/v3',
          GITHUB_WORKSPACE: '/work',
        }),
      ).toEqual({
        ref: 'refs/tags/v1.2.3',
        sha: 'a'.repeat(40),
        eventName: 'push',
        eventPath: '/tmp/event.json',
        runAttempt: 2,
        repository: 'acme/app',
        serverUrl: 'https://ghe.example.com',
        apiUrl: 'https://ghe.example.com/api/v3',
        workspace: '/work',
      });
    });
  });

  describe('when variables are empty or missing', () => {
    it.each([
      [{}, { serverUrl: 'https://github.com' }],
      [{ GITHUB_API_URL: '', GITHUB_REPOSITORY: '' }, { serverUrl: 'https://github.com' }],
      [{ GITHUB_RUN_ATTEMPT: '0' }, { serverUrl: 'https://github.com' }],
      [{ GITHUB_RUN_ATTEMPT: 'two' }, { serverUrl: 'https://github.com' }],
    ])('%j reads as %j', (env, expected) => {
      expect(readWorkflowContext(env)).toEqual(expected);
    });
  });
});
