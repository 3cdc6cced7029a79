import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../renderer/src/bridge/api-client';
import { rememberServeToken } from '../../../renderer/src/bridge/serve-token';
import { importStatus, useImportsStore } from '../../../renderer/src/state/imports-store';
import { useTasksStore } from '../../../renderer/src/state/tasks-store';
import { installFakeBridge, removeFakeBridge } from './fake-bridge';
import { task } from './fixtures';

const upload = vi.hoisted(() => ({
  fn: vi.fn<(file: Blob, options: { signal: AbortSignal }) => Promise<{ uploadId: string }>>(),
}));
vi.mock('../../../renderer/src/bridge/upload-file', () => ({ uploadFile: upload.fn }));

const UPLOAD_ID = '6f1c2a4e-8a51-4d6f-9a8e-3c0b9d1e2f3a';
const file = (name: string) => new File([new Uint8Array(10)], name);
const entries = () => useImportsStore.getState().entries;

beforeEach(() => {
  useImportsStore.setState({ entries: [] });
  useTasksStore.setState({ byId: {} });
  upload.fn.mockReset();
  rememberServeToken('tok');
});
afterEach(() => {
  removeFakeBridge();
  rememberServeToken(null);
});

describe('imports', () => {
  it('refuses a file that is not a disk image without uploading it', () => {
    const log = installFakeBridge({});
    useImportsStore.getState().importFiles([file('notes.txt')]);
    expect(entries()[0]).toMatchObject({ fileName: 'notes.txt', phase: 'refused' });
    expect(entries()[0]?.error?.message).toMatch(/notes\.txt is not a disk image/);
    expect(upload.fn).not.toHaveBeenCalled();
    expect(log).toEqual([]);
  });

  it('uploads, then imports the upload, then follows the import task', async () => {
    upload.fn.mockResolvedValue({ uploadId: UPLOAD_ID });
    const log = installFakeBridge({
      importUpload: () => ({ result: { task: task({ id: 't1', title: 'Import disk.qcow2' }) } }),
    });
    useImportsStore.getState().importFiles([file('disk.qcow2')]);
    expect(entries()[0]?.phase).toBe('uploading');
    await vi.waitFor(() => expect(entries()[0]?.phase).toBe('importing'));
    expect(log).toEqual([
      { name: 'importUpload', args: { uploadId: UPLOAD_ID, name: 'disk.qcow2' } },
    ]);
    expect(entries()[0]?.taskId).toBe('t1');
    useTasksStore.getState().received(task({ id: 't1', state: 'failed' }));
    expect(importStatus(entries()[0]!, useTasksStore.getState().byId.t1)).toBe('failed');
  });

  it('imports by path in Electron, without an upload', async () => {
    const log = installFakeBridge(
      { importImage: () => ({ result: { task: task({ id: 't2' }) } }) },
      { pathForFile: () => '/home/me/disk.vmdk' },
    );
    useImportsStore.getState().importFiles([file('disk.vmdk')]);
    await vi.waitFor(() => expect(entries()[0]?.phase).toBe('importing'));
    expect(log).toEqual([
      { name: 'importImage', args: { path: '/home/me/disk.vmdk', mode: 'copy' } },
    ]);
    expect(upload.fn).not.toHaveBeenCalled();
  });

  it('cancels an upload under way, and shows an upload that failed', async () => {
    upload.fn.mockImplementation(
      (_file, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new ApiError('CANCELLED', 'cancelled'))),
        ),
    );
    installFakeBridge({});
    useImportsStore.getState().importFiles([file('a.iso')]);
    useImportsStore.getState().cancel(entries()[0]!.id);
    await vi.waitFor(() => expect(entries()[0]?.phase).toBe('cancelled'));

    upload.fn.mockRejectedValue(new ApiError('UNAVAILABLE', 'Not enough disk space'));
    useImportsStore.getState().importFiles([file('b.raw')]);
    await vi.waitFor(() => expect(entries()[0]?.phase).toBe('failed'));
    expect(entries()[0]?.error).toEqual({ code: 'UNAVAILABLE', message: 'Not enough disk space' });
  });

  it('cancels the import task once the server has the file', async () => {
    upload.fn.mockResolvedValue({ uploadId: UPLOAD_ID });
    const log = installFakeBridge({
      importUpload: () => ({ result: { task: task({ id: 't3' }) } }),
      cancelTask: () => ({ result: { cancelled: true } }),
    });
    useImportsStore.getState().importFiles([file('c.qcow2')]);
    await vi.waitFor(() => expect(entries()[0]?.phase).toBe('importing'));
    useImportsStore.getState().cancel(entries()[0]!.id);
    await vi.waitFor(() => expect(log.at(-1)).toEqual({ name: 'cancelTask', args: { id: 't3' } }));
  });
});
