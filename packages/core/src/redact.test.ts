import { describe, expect, it } from 'vitest';
import { redact } from './redact.js';

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
});
