import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../renderer/src/format/durations';
import { formatBytes } from '../../../renderer/src/format/sizes';
import { progressView } from '../../../renderer/src/format/task-progress';
import { detailFromHash, detailHash } from '../../../renderer/src/shell/routes';
import {
  isAcceptedImageName,
  refusalMessage,
} from '../../../renderer/src/state/accepted-image-files';

describe('formats', () => {
  it('writes sizes and spans as people read them', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(196 * 1024)).toBe('196 KiB');
    expect(formatBytes(64 * 1024 ** 2)).toBe('64.0 MiB');
    expect(formatBytes(2 * 1024 ** 3)).toBe('2.00 GiB');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(3 * 3600_000 + 5 * 60_000)).toBe('3 h 5 min');
  });

  it('shows bytes for copy and hash stages and percent for a conversion', () => {
    const base = { state: 'running' as const };
    expect(progressView({ ...base, stage: 'hash', done: 1024 ** 2, total: 4 * 1024 ** 2 })).toEqual(
      { fraction: 0.25, text: '1.00 MiB of 4.00 MiB' },
    );
    expect(progressView({ ...base, stage: 'convert', done: 45, total: 100 })).toEqual({
      fraction: 0.45,
      text: '45 %',
    });
    expect(progressView({ ...base, stage: null, done: null, total: null }).fraction).toBeNull();
  });
});

describe('accepted image files', () => {
  it('takes disk images and ISOs by extension, in any case', () => {
    for (const name of ['a.qcow2', 'b.RAW', 'c.img', 'd.vdi', 'e.vhdx', 'f.vmdk', 'g.iso'])
      expect(isAcceptedImageName(name)).toBe(true);
    for (const name of ['notes.txt', 'qcow2', '.qcow2', 'disk.qcow2.gz', 'x.'])
      expect(isAcceptedImageName(name)).toBe(false);
    expect(refusalMessage('notes.txt')).toMatch(/vmdk or iso file\.$/);
  });
});

describe('detail routes', () => {
  it('round-trips an item id through the hash', () => {
    expect(detailFromHash(detailHash('environments', 'abc_1'))).toBe('abc_1');
    expect(detailFromHash('#/environments')).toBeNull();
    expect(detailFromHash('#token=x')).toBeNull();
  });
});
