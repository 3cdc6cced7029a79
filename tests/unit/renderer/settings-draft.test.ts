import { describe, expect, it } from 'vitest';
import { draftToPatch, fieldText } from '../../../renderer/src/pages/settings/settings-draft';
import { sampleSettings } from './fixtures';

const settings = sampleSettings();

describe('settings draft', () => {
  it('shows the memory share as a percentage and no endpoint as empty', () => {
    expect(fieldText(settings, 'admissionMemoryShare')).toBe('75');
    expect(fieldText(settings, 'llmEndpoint')).toBe('');
    expect(fieldText(settings, 'cpuOvercommit')).toBe('2');
  });

  it('turns touched fields into a patch the contract accepts', () => {
    expect(
      draftToPatch({
        admissionMemoryShare: '50',
        cpuOvercommit: '4.5',
        llmEndpoint: ' http://127.0.0.1:11434 ',
      }),
    ).toEqual({
      patch: {
        admissionMemoryShare: 0.5,
        cpuOvercommit: 4.5,
        llmEndpoint: 'http://127.0.0.1:11434',
      },
    });
    expect(draftToPatch({ llmEndpoint: '' })).toEqual({ patch: { llmEndpoint: null } });
    expect(draftToPatch({})).toEqual({ patch: {} });
  });

  it('names each field that is out of range or malformed', () => {
    const result = draftToPatch({
      admissionMemoryShare: '5',
      cpuOvercommit: '',
      llmEndpoint: 'ftp://x',
      defaultNetworkMode: 'nat',
    });
    expect(result).toEqual({
      errors: {
        admissionMemoryShare: expect.stringContaining('10 and 100'),
        cpuOvercommit: expect.stringContaining('1 and 16'),
        llmEndpoint: expect.stringContaining('http'),
      },
    });
  });
});
