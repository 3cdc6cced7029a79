import { describe, expect, it } from 'vitest';
import { compose } from '../../../main/composer/compose.js';

function composed(prompt: string) {
  const r = compose(prompt);
  if (!('spec' in r)) throw new Error(`"${prompt}" did not compose`);
  return r;
}

const specOf = (prompt: string) => composed(prompt).spec;

describe('composer: firmware, Secure Boot and TPM', () => {
  it('Windows 11 gets UEFI with Secure Boot and a TPM', () => {
    for (const p of ['windows 11 vm', 'a windows desktop']) {
      const s = specOf(p);
      expect([s.firmware, s.secureBoot, s.tpm], p).toEqual(['uefi', true, true]);
    }
  });

  it('Windows 10 gets UEFI only', () => {
    const s = specOf('windows 10 vm');
    expect([s.firmware, s.secureBoot, s.tpm]).toEqual(['uefi', undefined, undefined]);
  });

  it('a prompt that asks for UEFI, Secure Boot or a TPM gets it; others keep the BIOS', () => {
    expect(specOf('debian 12 vm with uefi').firmware).toBe('uefi');
    const sb = specOf('ubuntu vm with secure boot');
    expect([sb.firmware, sb.secureBoot]).toEqual(['uefi', true]);
    expect(specOf('fedora vm with a tpm').tpm).toBe(true);
    const plain = specOf('debian 12 vm');
    expect([plain.firmware, plain.secureBoot, plain.tpm]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(specOf('alpine container').firmware).toBeUndefined();
  });

  it('explains each choice with the words that made it, or why it is the default', () => {
    const asked = composed('Ubuntu VM with Secure Boot and a TPM 2.0').explanation;
    expect(asked['secureBoot']).toEqual({ words: ['Secure Boot'] });
    expect(asked['firmware']).toEqual({ words: ['Secure Boot'], note: 'Secure Boot needs UEFI' });
    expect(asked['tpm']).toEqual({ words: ['TPM 2.0'] });
    const win = composed('windows 11 vm').explanation;
    expect(win['tpm']).toEqual({ words: ['windows', '11'], note: 'Windows 11 needs a TPM 2.0' });
    const plain = composed('debian 12 vm').explanation;
    expect(plain['firmware']).toMatchObject({
      words: 'default',
      note: expect.stringContaining('SeaBIOS'),
    });
    expect(composed('alpine container').explanation['tpm']).toMatchObject({
      words: 'default',
      note: 'applies to VMs only',
    });
  });
});
