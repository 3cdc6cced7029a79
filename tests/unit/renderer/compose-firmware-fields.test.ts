import { describe, expect, it } from 'vitest';
import { EnvironmentSpec } from '../../../preload/contract';
import { compose } from '../../../main/composer/compose';
import { OVMF_MISSING, wantsUefi } from '../../../main/backends/qemu/firmware';
import { driversIso } from '../../../main/backends/qemu/install';
import { collectMissing } from '../../../main/host/missing';
import { baseSpec } from '../../helpers/spec-fixture';
import {
  fieldText,
  parseDrivers,
  parseFieldText,
  parseImage,
} from '../../../renderer/src/state/compose-field-editors';
import {
  FIELD_IDS,
  fieldApplies,
  fieldOrigin,
  hostLack,
  planErrorField,
  readField,
  showField,
  writeField,
} from '../../../renderer/src/state/compose-fields';

const vm = baseSpec({
  os: { id: 'windows', version: '11' },
  display: 'gui',
  image: { kind: 'library', imageId: 'installer' },
});
const container: EnvironmentSpec = {
  ...vm,
  backend: 'docker',
  image: { kind: 'container-image', ref: 'alpine:3.20' },
};
const VM_FIELDS = ['firmware', 'secureBoot', 'tpm', 'drivers'] as const;

async function refusal(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the server took it');
}

describe('compose chips: firmware, Secure Boot, TPM and the drivers ISO', () => {
  it('are VM chips; the drivers ISO goes with an ISO install (or one already set)', () => {
    for (const id of VM_FIELDS) expect(fieldApplies(container, id, false), id).toBe(false);
    for (const id of ['firmware', 'secureBoot', 'tpm'] as const)
      expect(fieldApplies(vm, id, false), id).toBe(true);
    expect(fieldApplies(vm, 'drivers', true)).toBe(true);
    expect(fieldApplies(vm, 'drivers', false)).toBe(false);
    const withDrivers = writeField(vm, 'drivers', 'virtio');
    expect(fieldApplies(withDrivers, 'drivers', false)).toBe(true);
    expect(fieldApplies({ ...vm, image: { kind: 'catalog' } }, 'drivers', true)).toBe(false);
    expect(FIELD_IDS.filter((id) => fieldApplies(container, id, false))).not.toContain('tpm');
  });

  it('write what the server reads, leaving the defaults (BIOS, off, none) out', () => {
    const uefi = writeField(
      writeField(writeField(vm, 'firmware', 'uefi'), 'secureBoot', true),
      'tpm',
      true,
    );
    expect([uefi.firmware, uefi.secureBoot, uefi.tpm]).toEqual(['uefi', true, true]);
    expect(EnvironmentSpec.parse(uefi)).toEqual(uefi);
    const back = writeField(
      writeField(writeField(uefi, 'firmware', 'bios'), 'secureBoot', false),
      'tpm',
      false,
    );
    expect(back).toEqual(vm);
    expect('firmware' in back || 'secureBoot' in back || 'tpm' in back).toBe(false);
    for (const id of VM_FIELDS) expect(writeField(vm, id, readField(vm, id))).toEqual(vm);

    const drivers = writeField(vm, 'drivers', 'virtio');
    expect(drivers.image).toEqual({
      kind: 'library',
      imageId: 'installer',
      driversImageId: 'virtio',
    });
    expect(readField(drivers, 'drivers')).toBe('virtio');
    expect(writeField(drivers, 'drivers', null).image).toEqual(vm.image);
    // Picking another installer keeps the drivers; a container gets none of it.
    expect(parseImage('library', 'other', '', drivers.image)).toEqual({
      ok: true,
      value: { kind: 'library', imageId: 'other', driversImageId: 'virtio' },
    });
    expect(writeField(container, 'tpm', true)).toEqual(container);
    expect(writeField(container, 'drivers', 'virtio')).toEqual(container);
  });

  it('show and edit their values in words', () => {
    const on = { ...vm, firmware: 'uefi' as const, secureBoot: true, tpm: true };
    expect(VM_FIELDS.map((id) => showField(vm, id))).toEqual(['BIOS', 'off', 'none', 'none']);
    const named = (id: string) => (id === 'virtio' ? 'virtio-win' : undefined);
    expect(
      VM_FIELDS.map((id) => showField(writeField(on, 'drivers', 'virtio'), id, named)),
    ).toEqual(['UEFI', 'on', 'TPM 2.0', 'virtio-win']);
    expect([fieldText(vm, 'firmware'), fieldText(vm, 'secureBoot'), fieldText(on, 'tpm')]).toEqual([
      'bios',
      'off',
      'on',
    ]);
    expect(fieldText(vm, 'ephemeral')).toBe('no');
    expect(parseFieldText('firmware', 'uefi')).toEqual({ ok: true, value: 'uefi' });
    expect(parseFieldText('firmware', 'coreboot')).toMatchObject({ ok: false });
    expect(parseFieldText('secureBoot', 'on')).toEqual({ ok: true, value: true });
    expect(parseFieldText('tpm', 'off')).toEqual({ ok: true, value: false });
    const isos = [{ id: 'virtio' }];
    expect(parseDrivers('', isos)).toEqual({ ok: true, value: null });
    expect(parseDrivers('virtio', isos)).toEqual({ ok: true, value: 'virtio' });
    expect(parseDrivers('gone', isos)).toMatchObject({ ok: false });
  });

  it('show the prompt words that set them', () => {
    const r = compose('windows 11 vm');
    if (!('spec' in r)) throw new Error(r.error);
    expect(fieldOrigin(r.explanation, 'tpm')).toEqual({
      kind: 'words',
      words: 'windows 11',
      note: 'Windows 11 needs a TPM 2.0',
    });
    const asked = compose('debian vm with uefi');
    if (!('spec' in asked)) throw new Error(asked.error);
    expect(fieldOrigin(asked.explanation, 'firmware')).toMatchObject({ words: 'uefi' });
    expect(fieldOrigin(asked.explanation, 'secureBoot')).toMatchObject({ kind: 'default' });
  });

  it('put the server’s refusal under the chip it is about', async () => {
    const secureBios = await refusal(() => wantsUefi({ ...vm, secureBoot: true }));
    expect(planErrorField(secureBios)).toBe('secureBoot');
    expect(planErrorField(OVMF_MISSING)).toBe('firmware');
    const drivers = writeField(vm, 'drivers', 'virtio');
    expect(planErrorField(await refusal(() => driversIso(drivers, () => undefined)))).toBe(
      'drivers',
    );
    const notIso = () => ({ path: '/x.qcow2', format: 'qcow2' as const, virtualSize: 1 });
    expect(planErrorField(await refusal(() => driversIso(drivers, notIso)))).toBe('drivers');
    expect(planErrorField('qemu-system-x86_64 is not installed')).toBeNull();
  });

  it('say what the host must install, in the host probe’s words', () => {
    const missing = collectMissing({
      qemu: { systems: [], img: null, broken: [] },
      kvmFinding: null,
      qemuFinding: null,
      engine: {
        engine: { kind: null, endpoint: null, version: null, apiVersion: null, tried: [] },
        fix: null,
      },
      extras: { ovmf: false, swtpm: false },
    });
    const on = { ...vm, firmware: 'uefi' as const, tpm: true };
    expect(hostLack(on, 'tpm', missing)?.install).toBe('sudo apt-get install swtpm swtpm-tools');
    expect(hostLack(on, 'firmware', missing)?.install).toBe('sudo apt-get install ovmf');
    expect(hostLack(vm, 'tpm', missing)).toBeNull();
    expect(hostLack(on, 'secureBoot', missing)).toBeNull();
    expect(hostLack(on, 'tpm', [])).toBeNull();
  });
});
