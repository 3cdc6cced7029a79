import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../renderer/src/bridge/api-client';
import { uploadFile } from '../../../renderer/src/bridge/upload-file';
import type { UploadXhr } from '../../../renderer/src/bridge/upload-file';

/** An XMLHttpRequest the test answers by hand. */
class FakeXhr implements UploadXhr {
  status = 0;
  responseText = '';
  upload: UploadXhr['upload'] = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  opened: [string, string] | null = null;
  headers: Record<string, string> = {};
  body: Blob | null = null;
  aborted = false;

  open(method: string, url: string) {
    this.opened = [method, url];
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: Blob) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  progress(loaded: number) {
    this.upload.onprogress?.({ loaded });
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = typeof body === 'string' ? body : JSON.stringify(body);
    this.onload?.();
  }
}

function start(signal = new AbortController().signal) {
  const xhr = new FakeXhr();
  const progress: number[] = [];
  const file = new Blob([new Uint8Array(1000)]);
  const done = uploadFile(file, {
    token: 'tok',
    signal,
    onProgress: (sent, total) => progress.push(sent / total),
    makeXhr: () => xhr,
  });
  return { xhr, progress, done, file };
}

describe('uploadFile', () => {
  it('PUTs the file to /upload with the token and reports progress', async () => {
    const { xhr, progress, done, file } = start();
    expect(xhr.opened).toEqual(['PUT', '/upload']);
    expect(xhr.headers).toEqual({ Authorization: 'Bearer tok' });
    expect(xhr.body).toBe(file);
    xhr.progress(250);
    xhr.progress(1000);
    xhr.answer(201, { uploadId: 'u-1', size: 1000 });
    await expect(done).resolves.toEqual({ uploadId: 'u-1' });
    expect(progress).toEqual([0.25, 1]);
  });

  it('turns the server’s refusal into its code and message', async () => {
    const { xhr, done } = start();
    xhr.answer(507, { error: { code: 'UNAVAILABLE', message: 'Not enough disk space' } });
    await expect(done).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'Not enough disk space',
    });
  });

  it('says what happened when the answer is not JSON, or the connection fails', async () => {
    const first = start();
    first.xhr.answer(502, '<html>bad gateway</html>');
    await expect(first.done).rejects.toThrow(/HTTP 502/);
    const second = start();
    second.xhr.onerror?.();
    await expect(second.done).rejects.toBeInstanceOf(ApiError);
  });

  it('aborts the transfer when the signal fires, as CANCELLED', async () => {
    const controller = new AbortController();
    const { xhr, done } = start(controller.signal);
    controller.abort();
    expect(xhr.aborted).toBe(true);
    await expect(done).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
