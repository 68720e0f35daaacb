import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@tagwright/core/errors';
import { readWorkflowEvent } from './inputs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-event-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a payload the way the runner does and returns its path. */
function payload(name: string, content: string): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, content);
  return file;
}

describe('readWorkflowEvent', () => {
  describe('when the event is a pull request', () => {
    it.each([
      ['pull_request', { number: 42, pull_request: { number: 42 } }, 42],
      ['pull_request_target', { number: 7, pull_request: { number: 7, base: { ref: 'main' } } }, 7],
    ])('reads %s with its pull request number', (name, body, number) => {
      const env = { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: payload(name, JSON.stringify(body)) };
      expect(readWorkflowEvent(env)).toEqual({ name, pullRequestNumber: number });
    });
  });

  describe('when the event is not a pull request', () => {
    it.each(['push', 'workflow_dispatch', 'schedule', 'release'])('reads %s without the payload', (name) => {
      expect(readWorkflowEvent({ GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: path.join(dir, 'missing.json') })).toEqual({ name });
    });

    it('gives undefined outside a runner', () => {
      expect(readWorkflowEvent({})).toBeUndefined();
    });
  });

  describe('when a pull request payload cannot be used', () => {
    it.each([
      ['no GITHUB_EVENT_PATH', () => ({ GITHUB_EVENT_NAME: 'pull_request_target' }), 'read the pull_request_target event payload: GITHUB_EVENT_PATH is not set'],
      ['a missing file', () => ({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path.join(dir, 'nope.json') }), 'ENOENT'],
      ['not JSON', () => ({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('bad', '{') }), 'read the pull_request event payload at'],
      ['no number', () => ({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: payload('nonum', '{"pull_request":{}}') }), 'pull_request.number is null, not a positive integer'],
      ['a string number', () => ({ GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_EVENT_PATH: payload('str', '{"pull_request":{"number":"7"}}') }), 'pull_request.number is "7"'],
      ['zero', () => ({ GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_EVENT_PATH: payload('zero', '{"pull_request":{"number":0}}') }), 'pull_request.number is 0'],
    ])('fails closed on %s', (_name, env, message) => {
      expect(() => readWorkflowEvent(env())).toThrow(ConfigurationError);
      expect(() => readWorkflowEvent(env())).toThrow(message);
    });
  });
});
