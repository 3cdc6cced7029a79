import { EnvironmentSpec, type EnvironmentSpecInput } from '../../preload/contract.js';

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
