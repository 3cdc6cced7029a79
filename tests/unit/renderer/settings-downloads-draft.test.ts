import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../preload/contract';
import { draftToPatch, fieldText } from '../../../renderer/src/pages/settings/settings-draft';

const settings: Settings = {
  theme: 'system',
  defaultNetworkMode: 'nat',
  admissionMemoryShare: 0.8,
  cpuOvercommit: 4,
  llmEndpoint: null,
  downloadMirrors: [
    {
      prefix: 'https://cloud-images.ubuntu.com/',
      mirrors: ['https://a.test/u/', 'https://b.test/u/'],
    },
  ],
  downloadProxy: null,
  sshPublicKey: null,
  pullImages: false,
};

describe('the download and SSH settings in the form', () => {
  it('shows mirror rules one per line and empty fields for nulls', () => {
    expect(fieldText(settings, 'downloadMirrors')).toBe(
      'https://cloud-images.ubuntu.com/ https://a.test/u/ https://b.test/u/',
    );
    expect(fieldText(settings, 'downloadProxy')).toBe('');
    expect(fieldText(settings, 'sshPublicKey')).toBe('');
  });

  it('turns the text back into the setting, and empty into null or no rules', () => {
    expect(
      draftToPatch({
        downloadMirrors: '\n https://x.test/  https://m.test/x/ \n\n',
        downloadProxy: ' http://proxy.test:3128 ',
        sshPublicKey: '',
      }),
    ).toEqual({
      patch: {
        downloadMirrors: [{ prefix: 'https://x.test/', mirrors: ['https://m.test/x/'] }],
        downloadProxy: 'http://proxy.test:3128',
        sshPublicKey: null,
      },
    });
    expect(draftToPatch({ downloadMirrors: '' })).toEqual({ patch: { downloadMirrors: [] } });
  });

  it('says what is wrong with a bad rule, proxy or key', () => {
    const r = draftToPatch({
      downloadMirrors: 'https://x.test/',
      downloadProxy: 'socks5://p:1080',
      sshPublicKey: 'not a key',
    });
    expect(r).toEqual({
      errors: {
        downloadMirrors: expect.stringContaining('One rule per line'),
        downloadProxy: expect.stringContaining('http:// proxy URL'),
        sshPublicKey: expect.stringContaining('OpenSSH public key'),
      },
    });
  });
});
