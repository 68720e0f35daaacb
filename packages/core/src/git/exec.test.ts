import { describe, expect, it } from 'vitest';
import { GitError } from './exec.js';

describe('GitError', () => {
  it('never carries a credential from a remote URL in its message or stderr', () => {
    const error = new GitError(
      ['ls-remote', '--end-of-options', 'https://x-access-token:ghs_s3cretT0ken@github.com/acme/app.git'],
      128,
      "fatal: unable to access 'https://x-access-token:ghs_s3cretT0ken@github.com/acme/app.git/': 403",
    );
    expect(error.message).not.toContain('ghs_s3cretT0ken');
    expect(error.stderr).not.toContain('ghs_s3cretT0ken');
    expect(error.message).toContain('https://***@github.com/acme/app.git');
    expect(error.code).toBe('GIT_FAILED');
  });
});
