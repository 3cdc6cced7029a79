import type { ApiErrorShape } from '../../../preload/contract';
import { ApiError } from './api-client';

/** Where `genos serve` takes a dropped file (main/transport/upload.ts). */
export const UPLOAD_PATH = '/upload';

/** The parts of XMLHttpRequest an upload uses; a fake in unit tests. */
export type UploadXhr = {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: Blob): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  readonly upload: { onprogress: ((event: { loaded: number }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
};

export type UploadOptions = {
  token: string;
  signal: AbortSignal;
  /** Bytes sent so far, of the file's size. */
  onProgress(sent: number, total: number): void;
  makeXhr?: () => UploadXhr;
};

function replyError(xhr: UploadXhr): ApiError {
  try {
    const body = JSON.parse(xhr.responseText) as { error?: ApiErrorShape };
    if (body.error?.message) return new ApiError(body.error.code, body.error.message);
  } catch {
    // not JSON: fall through to the status line
  }
  return new ApiError('UNAVAILABLE', `The upload failed: genos serve answered HTTP ${xhr.status}.`);
}

// Reached through globalThis so this module also type-checks (and is unit-tested) under Node.
function browserXhr(): UploadXhr {
  const Xhr = (globalThis as unknown as { XMLHttpRequest: new () => UploadXhr }).XMLHttpRequest;
  return new Xhr();
}

/**
 * Streams a file to `PUT /upload` and resolves to its upload id. XMLHttpRequest rather than
 * fetch because only XHR reports upload progress; the signal aborts the transfer.
 */
export function uploadFile(file: Blob, options: UploadOptions): Promise<{ uploadId: string }> {
  const xhr = options.makeXhr?.() ?? browserXhr();
  return new Promise((resolve, reject) => {
    const cancelled = () =>
      reject(new ApiError('CANCELLED', 'The upload was cancelled; nothing was imported.'));
    if (options.signal.aborted) {
      cancelled();
      return;
    }
    const onAbortSignal = () => xhr.abort();
    options.signal.addEventListener('abort', onAbortSignal, { once: true });
    const done = () => options.signal.removeEventListener('abort', onAbortSignal);

    xhr.upload.onprogress = (event) => options.onProgress(event.loaded, file.size);
    xhr.onload = () => {
      done();
      if (xhr.status !== 201) return reject(replyError(xhr));
      try {
        const body = JSON.parse(xhr.responseText) as { uploadId?: unknown };
        if (typeof body.uploadId === 'string') return resolve({ uploadId: body.uploadId });
      } catch {
        // reported below
      }
      reject(new ApiError('INTERNAL', 'genos serve accepted the upload but sent no upload id.'));
    };
    xhr.onerror = () => {
      done();
      reject(
        new ApiError(
          'UNAVAILABLE',
          'The upload did not reach genos serve: check that it is still running, then drop the file again.',
        ),
      );
    };
    xhr.onabort = () => {
      done();
      cancelled();
    };
    xhr.open('PUT', UPLOAD_PATH);
    xhr.setRequestHeader('Authorization', `Bearer ${options.token}`);
    xhr.send(file);
  });
}
