import { describe, expect, it } from 'vitest';
import { compose } from '../../../main/composer/compose.js';

function composed(prompt: string) {
  const r = compose(prompt);
  if (!('spec' in r)) throw new Error(`"${prompt}" did not compose`);
  return r;
}

/** "from an ISO": the catalog's installer ISO, in a VM, with its display open. */
describe('composer: installing from the catalog installer ISO', () => {
  it('takes the installer ISO, a VM and a display for the install', () => {
    for (const p of [
      'debian 12 from iso',
      'install ubuntu 24.04 from the installer',
      'fedora netinst',
    ]) {
      const { spec } = composed(p);
      expect(spec.image, p).toEqual({ kind: 'catalog', media: 'installer-iso' });
      expect([spec.backend, spec.display], p).toEqual(['qemu', 'gui']);
    }
  });

  it('a plain VM keeps the cloud image', () => {
    expect(composed('debian 12 vm').spec.image).toEqual({ kind: 'catalog' });
  });

  it('without an installer ISO in the catalog, the cloud image is used, and it says so', () => {
    const r = composed('rocky 8 from iso');
    expect(r.spec.image).toEqual({ kind: 'catalog' });
    expect(r.warnings.join(' ')).toMatch(
      /no installer ISO in the catalog, so its cloud image is used/,
    );
  });

  it('apps asked for with an installer are named as the guest’s job afterwards', () => {
    const r = composed('debian 12 from iso with firefox');
    expect(r.warnings.join(' ')).toMatch(/firefox must be installed in the guest afterwards/);
  });
});
