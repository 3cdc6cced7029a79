import { describe, expect, it } from 'vitest';
import type { Store } from '../../../main/store/store.js';
import { expectGenosError, useTempStore } from '../../helpers/store-temp.js';

let store: Store;
useTempStore((s) => (store = s));

describe('snapshots', () => {
  it('inserts, lists in order, deletes', () => {
    const env = store.insertEnvironment({ name: 'vm', backend: 'qemu', spec: {} });
    const s1 = store.insertSnapshot({ envId: env.id, name: 'clean', kind: 'qemu-internal' });
    const s2 = store.insertSnapshot({ envId: env.id, name: 'after-setup', kind: 'qemu-internal' });
    expect(store.getSnapshot(s1.id)).toEqual(s1);
    expect(store.listSnapshots(env.id)).toEqual([s1, s2]);
    expectGenosError(
      () => store.insertSnapshot({ envId: env.id, name: 'clean', kind: 'x' }),
      'CONFLICT',
      /"clean"/,
    );
    expect(store.deleteSnapshot(s1.id)).toBe(true);
    expect(store.deleteSnapshot(s1.id)).toBe(false);
    expect(store.listSnapshots(env.id)).toEqual([s2]);
  });

  it('refuses a snapshot of a missing environment (foreign key)', () => {
    expectGenosError(
      () => store.insertSnapshot({ envId: 'ghost', name: 's', kind: 'x' }),
      'NOT_FOUND',
      /ghost/,
    );
  });

  it('cascades: deleting an environment deletes its snapshots, and only its', () => {
    const a = store.insertEnvironment({ name: 'a', backend: 'qemu', spec: {} });
    const b = store.insertEnvironment({ name: 'b', backend: 'docker', spec: {} });
    const sa = [
      store.insertSnapshot({ envId: a.id, name: 's1', kind: 'k' }),
      store.insertSnapshot({ envId: a.id, name: 's2', kind: 'k' }),
    ];
    const sb = store.insertSnapshot({ envId: b.id, name: 's1', kind: 'k' });
    store.deleteEnvironment(a.id);
    expect(store.listSnapshots(a.id)).toEqual([]);
    for (const s of sa) expect(store.getSnapshot(s.id)).toBeUndefined();
    expect(store.getSnapshot(sb.id)).toEqual(sb);
  });
});

describe('images', () => {
  const base = {
    name: 'debian-12',
    path: '/lib/debian.qcow2',
    format: 'qcow2' as const,
    virtualSize: 2 ** 34,
    actualSize: 123456,
  };

  it('inserts, lists newest first, gets, deletes', () => {
    const a = store.insertImage({
      ...base,
      sha256: 'ab'.repeat(32),
      source: 'https://example.org/d.qcow2',
    });
    const b = store.insertImage({ ...base, path: '/lib/other.iso', format: 'iso' });
    expect(b).toMatchObject({ source: null, sha256: null });
    expect(store.getImage(a.id)).toEqual(a);
    expect(store.listImages()).toEqual([b, a]);
    expect(store.deleteImage(a.id)).toBe(true);
    expect(store.deleteImage(a.id)).toBe(false);
    expect(store.listImages()).toEqual([b]);
  });

  it('refuses the same file twice and unknown formats', () => {
    store.insertImage(base);
    expectGenosError(() => store.insertImage(base), 'CONFLICT', /already in the library/);
    expect(() => store.insertImage({ ...base, path: '/x', format: 'vpc' as 'raw' })).toThrow(
      /CHECK constraint/,
    );
  });
});
