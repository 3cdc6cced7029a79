import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const UPLOAD_PATH = '/upload';

/** Free space kept in reserve: an upload never fills the disk the store lives on. */
const RESERVE_BYTES = 512 * 1024 * 1024;

function reply(res: ServerResponse, status: number, body: Record<string, unknown>) {
  res
    .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    .end(JSON.stringify(body));
}

/**
 * Serve mode's way to import a file dropped on the page: the browser streams it here
 * (`PUT /upload`, the token as a Bearer header), it lands in <dataDir>/uploads, and the
 * `importUpload` call then imports it like any other file. A dropped connection removes the part.
 */
export function createUploadHandler(opts: {
  dataDir: string;
  authorized: (req: IncomingMessage) => boolean;
}) {
  const dir = path.join(opts.dataDir, 'uploads');

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!opts.authorized(req))
      return reply(res, 401, {
        error: { code: 'FORBIDDEN', message: 'A valid token is required.' },
      });
    if (req.method !== 'PUT')
      return reply(res, 405, { error: { code: 'BAD_ARGS', message: 'Use PUT.' } });
    const length = Number(req.headers['content-length']);
    if (!Number.isSafeInteger(length) || length <= 0) {
      return reply(res, 411, {
        error: { code: 'BAD_ARGS', message: 'Send the file with its Content-Length.' },
      });
    }
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const free = fs.statfsSync(dir);
    if (length + RESERVE_BYTES > free.bavail * free.bsize) {
      const freeGiB = ((free.bavail * free.bsize) / 1024 ** 3).toFixed(1);
      return reply(res, 507, {
        error: {
          code: 'UNAVAILABLE',
          message: `Not enough disk space for this upload: ${freeGiB} GiB free in ${dir}. Free some space and retry.`,
        },
      });
    }
    const id = randomUUID();
    const part = path.join(dir, `${id}.part`);
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > length) req.destroy(new Error('more data than Content-Length'));
    });
    try {
      await pipeline(req, fs.createWriteStream(part, { mode: 0o600, flags: 'wx' }));
      if (received !== length) throw new Error('the upload was cut short');
      fs.renameSync(part, path.join(dir, id));
      reply(res, 201, { uploadId: id, size: received });
    } catch (err) {
      fs.rmSync(part, { force: true });
      if (!res.headersSent && !res.destroyed) {
        reply(res, 400, {
          error: { code: 'BAD_ARGS', message: `Upload failed: ${(err as Error).message}.` },
        });
      }
    }
  };
}

/** The file of a finished upload; null when there is no such upload. */
export function uploadFile(dataDir: string, uploadId: string): string | null {
  if (!/^[0-9a-f-]{36}$/.test(uploadId)) return null;
  const file = path.join(dataDir, 'uploads', uploadId);
  return fs.existsSync(file) ? file : null;
}
