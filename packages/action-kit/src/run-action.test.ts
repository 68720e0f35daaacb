import { ConfigurationError, PartialMutationError, PolicyError } from '@tagwright/core/errors';
import { describe, expect, it } from 'vitest';
import { failureSummary } from './run-action.js';

describe('failureSummary', () => {
  describe('when an input was refused', () => {
    it('says nothing was read and nothing was changed', () => {
      const summary = failureSummary(new ConfigurationError('INVALID_INPUT', 'input targets: "x y" is not a valid tag'), ['ignored']);
      expect(summary).toContain('## Failed: configuration error');
      expect(summary).toContain('input targets: "x y" is not a valid tag');
      expect(summary).toContain('Nothing: the inputs were refused before any request.');
      expect(summary).toContain('Nothing was changed.');
    });
  });

  describe('when a rule refused after reads', () => {
    it('lists what was read and says nothing was changed', () => {
      const summary = failureSummary(new PolicyError('TRACK_MOVED', 'roll back r/app:prod: moved; nothing was moved'), ['prod points at sha256:aa']);
      expect(summary).toContain('```text\nprod points at sha256:aa\n```');
      expect(summary).toContain('Nothing was changed.');
    });
  });

  describe('when a run failed part way', () => {
    it('carries the exact partial report', () => {
      const report = { targets: [{ tag: 'prod', before: null, after: 'sha256:bb', status: 'written' }] };
      const summary = failureSummary(new PartialMutationError('promote r/app:1.0.0: PUT failed', report), []);
      expect(summary).toContain(JSON.stringify(report, null, 2));
      expect(summary).not.toContain('Nothing was changed.');
    });
  });
});
