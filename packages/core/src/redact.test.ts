import { describe, expect, it } from 'vitest';
import { redact, registerSecret } from './redact.js';

describe('redact', () => {
  it.each([
    ['https://user:s3cret@ghcr.io/v2/', 'https://***@ghcr.io/v2/'],
    ['GET http://127.0.0.1:5000/token?scope=x&access_token=abc123', 'GET http://127.0.0.1:5000/token?scope=x&access_token=***'],
    ['Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.abc.def', 'Authorization: ***'],
    ['sent Basic dXNlcjpwYXNzd29yZA== to registry', 'sent Basic *** to registry'],
    ['{"authorization":"token ghp_abcdef"}', '{"authorization":"***"}'],
  ])('removes the credential from %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('leaves text without credentials alone', () => {
    expect(redact('manifest unknown: ghcr.io/acme/app:1.2.3')).toBe('manifest unknown: ghcr.io/acme/app:1.2.3');
  });

  describe('when a secret value was registered', () => {
    it('removes the value, its base64 and URL-encoded forms wherever they appear', () => {
      registerSecret('p@ss w0rd!');
      expect(redact('denied for ci-bot:p@ss w0rd!')).toBe('denied for ci-bot:***');
      expect(redact(`echo ${Buffer.from('p@ss w0rd!').toString('base64')}`)).toBe('echo ***');
      expect(redact('?x=p%40ss%20w0rd!')).toBe('?x=***');
    });

    it('ignores values too short to be secrets', () => {
      registerSecret('ab');
      expect(redact('tab stop')).toBe('tab stop');
    });
  });
});
