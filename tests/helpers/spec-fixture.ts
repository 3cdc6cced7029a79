import { EnvironmentSpec, type EnvironmentSpecInput } from '../../preload/contract.js';
import type { TestGuest } from './test-guest.js';

/** A complete, valid spec (a small headless Debian VM, no network) with the given overrides. */
export function baseSpec(over: Partial<EnvironmentSpecInput> = {}): EnvironmentSpec {
  return EnvironmentSpec.parse({
    name: 'box',
    backend: 'qemu',
    os: { id: 'debian', version: '12' },
    resources: { cpus: 1, memoryMiB: 256, diskGiB: 4 },
    network: { mode: 'none', ports: [] },
    display: 'headless',
    desktop: null,
    apps: [],
    count: 1,
    ephemeral: false,
    image: { kind: 'catalog' },
    healthCheck: null,
    restartPolicy: 'never',
    requires: [],
    hardening: {},
    ...over,
  });
}

/** A VM the size of the test guest (os linux, 1 CPU, 128 MiB, 1 GiB disk) booting `image`. */
export function testGuestVmSpec(
  name: string,
  image: EnvironmentSpecInput['image'],
  over: Partial<EnvironmentSpecInput> = {},
): EnvironmentSpec {
  return baseSpec({
    name,
    os: { id: 'linux', version: null },
    resources: { cpus: 1, memoryMiB: 128, diskGiB: 1 },
    image,
    ...over,
  });
}

/** The test guest's kernel as a VM with a display, as the display tests boot it. */
export function kernelGuestVmSpec(
  guest: TestGuest,
  name: string,
  over: Partial<EnvironmentSpecInput> = {},
): EnvironmentSpec {
  const { kernel, initrd, cmdline } = guest;
  return testGuestVmSpec(
    name,
    { kind: 'kernel', kernel, initrd, cmdline },
    { display: 'gui', ...over },
  );
}
