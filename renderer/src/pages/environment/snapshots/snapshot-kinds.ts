import type { Backend } from '../../../../../preload/contract';
import type { SnapshotKind } from '../../../state/snapshots-store';

export type KindChoice = { kind: SnapshotKind; label: string; hint: string };

/** The kinds each backend can take, the usual one first. */
const KINDS: Record<Backend, readonly KindChoice[]> = {
  qemu: [
    {
      kind: 'live',
      label: 'Live',
      hint: 'Memory, devices and disks: restoring resumes the VM exactly where it was. Needs it running.',
    },
    {
      kind: 'disk',
      label: 'Disk only',
      hint: 'The disks, without memory: restoring needs the VM stopped and boots it afresh.',
    },
  ],
  docker: [
    {
      kind: 'commit',
      label: 'Commit',
      hint: 'The container’s files as an image; memory and running processes are not kept.',
    },
    {
      kind: 'live',
      label: 'Live (CRIU)',
      hint: 'Running processes and memory, by a CRIU checkpoint. Needs an experimental engine with CRIU; otherwise a commit is taken and says why.',
    },
  ],
};

export function snapshotKinds(backend: Backend): readonly KindChoice[] {
  return KINDS[backend];
}

export function kindLabel(kind: string): string {
  for (const choices of Object.values(KINDS)) {
    const found = choices.find((choice) => choice.kind === kind);
    if (found) return found.label;
  }
  return kind;
}

/** The contract's rule for names, checked before asking (the server checks again). */
export const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function snapshotNameProblem(name: string): string | null {
  if (name === '') return 'Give the snapshot a name.';
  if (name.length > 64) return 'A snapshot name is at most 64 characters.';
  if (!SNAPSHOT_NAME.test(name))
    return 'Use letters, digits, dot, dash and underscore, starting with a letter or digit.';
  return null;
}
