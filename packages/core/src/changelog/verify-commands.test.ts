import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../errors.js';
import { verifyCommands } from './verification.js';

const image = `ghcr.io/acme/api@sha256:${'a'.repeat(64)}`;
const identity = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/1.5.0';
const issuer = 'https://token.actions.githubusercontent.com';

describe('verifyCommands', () => {
  it.each([
    ['keyless', { kind: 'keyless', certificateIdentity: identity, certificateOidcIssuer: issuer } as const, false, [`cosign verify \\\n  --certificate-identity ${identity} \\\n  --certificate-oidc-issuer ${issuer} \\\n  ${image}`]],
    [
      'keyless with provenance',
      { kind: 'keyless', certificateIdentity: identity, certificateOidcIssuer: issuer } as const,
      true,
      [
        `cosign verify \\\n  --certificate-identity ${identity} \\\n  --certificate-oidc-issuer ${issuer} \\\n  ${image}`,
        `cosign verify-attestation --type slsaprovenance1 \\\n  --certificate-identity ${identity} \\\n  --certificate-oidc-issuer ${issuer} \\\n  ${image}`,
      ],
    ],
    ['a key', { kind: 'key', keyLocation: 'https://example.com/cosign.pub' } as const, false, [`cosign verify \\\n  --key https://example.com/cosign.pub \\\n  ${image}`]],
    ['a key without tlog, quoted path', { kind: 'key', keyLocation: "keys/it's.pub", insecureIgnoreTlog: true } as const, false, [`cosign verify \\\n  --key 'keys/it'\\''s.pub' \\\n  --insecure-ignore-tlog=true \\\n  ${image}`]],
  ])('%s', (_name, method, provenance, expected) => {
    expect(verifyCommands(image, method, provenance)).toEqual(expected);
  });

  it('refuses an image not pinned by digest', () => {
    expect(() => verifyCommands('ghcr.io/acme/api:1.5.0', { kind: 'key', keyLocation: 'k.pub' }, false)).toThrow(InvalidReferenceError);
  });
});
