/**
 * Container logs as one text stream (for consoleLog and `genos logs`), following or not, from
 * `since`. A TTY container's log is raw; otherwise the engine multiplexes stdout and stderr in
 * 8-byte-header frames, which are unwrapped here.
 */
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';

export type LogOptions = {
  follow?: boolean;
  /** Only lines after this time (a Date or unix seconds). */
  since?: Date | number;
  /** Only the last n lines (before following). */
  tail?: number;
  timestamps?: boolean;
  signal?: AbortSignal;
};

/** Unwraps a complete multiplexed buffer: [stream(1) 0 0 0 size(4, BE)] payload ... */
export function demuxBuffer(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts);
}

export async function containerLogs(
  container: Docker.Container,
  opts: LogOptions = {},
): Promise<Readable> {
  const info = await container.inspect();
  const tty = info.Config.Tty;
  const since =
    opts.since === undefined
      ? 0
      : opts.since instanceof Date
        ? opts.since.getTime() / 1000
        : opts.since;
  const params = {
    stdout: true,
    stderr: true,
    since,
    timestamps: opts.timestamps ?? false,
    ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
    ...(opts.signal ? { abortSignal: opts.signal } : {}),
  };
  const out = new PassThrough();
  if (!opts.follow) {
    const buf = (await container.logs({ ...params, follow: false })) as unknown as Buffer;
    out.end(tty ? buf : demuxBuffer(buf));
    return out;
  }
  const stream = (await container.logs({ ...params, follow: true })) as unknown as Readable;
  if (tty) return stream;
  container.modem.demuxStream(stream, out, out);
  stream.on('end', () => out.end());
  stream.on('error', (e) => out.destroy(e));
  out.on('close', () => stream.destroy());
  return out;
}
