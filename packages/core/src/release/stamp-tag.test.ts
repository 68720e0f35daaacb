import { describe, expect, it } from 'vitest';
import { stampReleaseTag } from './release.js';

describe('stampReleaseTag', () => {
  const now = new Date('2026-12-07T10:15:30Z');
  const built = '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

  it('renders {date} and {sha} from the time and the built commit', async () => {
    expect(await stampReleaseTag('prod-{date}-{sha}', now, async () => built)).toBe('prod-20261207-4f1c2d3');
  });

  it('does not ask for the commit when the template has no {sha}', async () => {
    let asked = 0;
    expect(await stampReleaseTag('prod-{datetime}', now, async () => (asked++, built))).toBe('prod-20261207-101530');
    expect(asked).toBe(0);
  });

  it('refuses a template with an unknown placeholder, naming it', async () => {
    await expect(stampReleaseTag('prod-{when}', now, async () => built)).rejects.toThrow('{when}');
  });
});
