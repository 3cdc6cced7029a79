import { describe, expect, it } from 'vitest';
import {
  draftFromSpec,
  draftToChange,
  recreatesContainer,
} from '../../../renderer/src/pages/environment/settings/spec-draft';
import { env } from './fixtures';

const spec = {
  resources: { cpus: 1, memoryMiB: 64, diskGiB: 2 },
  network: { mode: 'nat', ports: [{ host: 8080, guest: 80, protocol: 'tcp' }] },
  restartPolicy: 'never',
};

describe('the settings draft', () => {
  it('sends only what changed, and says when a container is made again', () => {
    const stopped = env({ id: 'a', state: 'stopped', spec });
    const draft = { ...draftFromSpec(stopped), memoryMiB: '96', restartPolicy: 'always' as const };
    const result = draftToChange(stopped, draft);
    expect(result).toEqual({
      change: {
        patch: { resources: { memoryMiB: 96 }, restartPolicy: 'always' },
        growDiskGiB: null,
      },
    });
    if (!('change' in result)) throw new Error('expected a change');
    expect(recreatesContainer(stopped, result.change.patch)).toBe(true);
    expect(recreatesContainer(stopped, { restartPolicy: 'always' })).toBe(false);
    expect(draftToChange(stopped, draftFromSpec(stopped))).toEqual({
      change: { patch: {}, growDiskGiB: null },
    });
  });

  it('grows a VM disk through resizeDisk and refuses to shrink it', () => {
    const vm = env({ id: 'v', backend: 'qemu', state: 'stopped', spec });
    expect(draftToChange(vm, { ...draftFromSpec(vm), diskGiB: '8' })).toEqual({
      change: { patch: {}, growDiskGiB: 8 },
    });
    expect(draftToChange(vm, { ...draftFromSpec(vm), diskGiB: '1' })).toEqual({
      errors: { diskGiB: 'A disk can only grow: keep 2 GiB or more.' },
    });
  });

  it('names the field that is wrong', () => {
    const stopped = env({ id: 'a', state: 'stopped', spec });
    const base = draftFromSpec(stopped);
    expect(draftToChange(stopped, { ...base, cpus: '1.5', memoryMiB: '8' })).toEqual({
      errors: {
        cpus: 'CPUs is a whole number from 1 to 256.',
        memoryMiB: 'Memory (MiB) must be from 16 to 4194304.',
      },
    });
    const twice = { ...base, ports: [...base.ports, { ...base.ports[0]! }] };
    expect(draftToChange(stopped, twice)).toEqual({
      errors: { ports: 'Host port 8080/tcp is forwarded twice.' },
    });
    expect(draftToChange(stopped, { ...base, mode: 'none' })).toEqual({
      errors: { ports: 'Forwarded ports need the NAT network mode; remove them or pick NAT.' },
    });
  });
});
