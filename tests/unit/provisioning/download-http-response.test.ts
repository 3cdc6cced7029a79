import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download } from '../../../main/provisioning/downloads.js';
import { httpGet, readSmallBody } from '../../../main/provisioning/http-get.js';
import { fixtureBytes } from './fixture-server.js';

/**
 * GenOS reads HTTP/1.1 responses itself (main/provisioning/http-response.ts): a raw TCP server
 * on 127.0.0.1 sends scripted bytes in awkward pieces to check the head, the chunked decoder
 * and the close-delimited and broken-off bodies.
 */
let server: net.Server;
let script: Array<Buffer | string> = [];
let tmp = '';

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-http-'));
  server = net.createServer((socket) => {
    socket.once('data', async () => {
      for (const piece of script) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 2));
      }
      socket.end();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

const url = (p = '/f') => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}`;

async function body(): Promise<string> {
  const { res } = await httpGet(url());
  return readSmallBody(res);
}

/** A chunked encoding of `data`, cut into pieces that split sizes, CRLFs and the trailer. */
function chunkedPieces(data: Buffer, sizes: number[]): Buffer[] {
  const parts: Buffer[] = [];
  let at = 0;
  for (const n of sizes) {
    const c = data.subarray(at, at + n);
    at += c.length;
    parts.push(Buffer.from(`${c.length.toString(16)};ext=1\r\n`), c, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\nX-Trailer: yes\r\n\r\n'));
  const all = Buffer.concat(parts);
  const pieces: Buffer[] = [];
  for (let i = 0, step = 1; i < all.length; i += step, step = (step * 7 + 3) % 9973 || 1)
    pieces.push(all.subarray(i, i + step));
  return pieces;
}

describe('HTTP responses read by GenOS', () => {
  it('decodes a chunked body whose framing is split across reads', async () => {
    const data = Buffer.from('hello, chunked world. '.repeat(500));
    script = [
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      ...chunkedPieces(data, [1, 2, 4000, 17, 7000]),
    ];
    expect(await body()).toBe(data.toString());
  });

  it('downloads a large chunked body into the file and verifies it', async () => {
    const data = fixtureBytes(3 * 1024 * 1024 + 5, 3);
    const sha = createHash('sha256').update(data).digest('hex');
    script = [
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nETag: "c1"\r\n\r\n',
      ...chunkedPieces(data, [65536, 1, 1 << 20, 999_999, data.length]).reduce<Buffer[]>(
        (acc, p) => {
          // Fewer, larger writes so the test stays quick.
          const last = acc.at(-1);
          if (last && last.length < 256 * 1024) acc[acc.length - 1] = Buffer.concat([last, p]);
          else acc.push(p);
          return acc;
        },
        [],
      ),
    ];
    const dest = path.join(tmp, 'chunked.img');
    const r = await download({ url: url(), dest, sha256: sha });
    expect(r).toMatchObject({ bytes: data.length, verified: true });
    expect(fs.readFileSync(dest).equals(data)).toBe(true);
  });

  it('skips 1xx interim responses, reads header names in any case, and takes the first value', async () => {
    script = [
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n',
      'HTTP/1.1 200 OK\r\nCONTENT-length: 5\r\nETag: "a"\r\netag: "b"\r\n\r\nhel',
      'lo and more bytes than promised',
    ];
    const { res } = await httpGet(url());
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"a"');
    expect(await readSmallBody(res)).toBe('hello');
  });

  it('reads a body without length or chunking until the server closes', async () => {
    script = ['HTTP/1.0 200 OK\r\n\r\nuntil', ' the end'];
    expect(await body()).toBe('until the end');
  });

  it('a body cut short is a network error (the download keeps it and resumes)', async () => {
    script = ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this'];
    await expect(body()).rejects.toMatchObject({ code: 'ECONNRESET' });
    script = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc'];
    await expect(body()).rejects.toMatchObject({ code: 'ECONNRESET' });
    const dest = path.join(tmp, 'cut.img');
    script = ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\nETag: "e"\r\n\r\n', 'x'.repeat(40)];
    await expect(download({ url: url(), dest, retries: 0 })).rejects.toMatchObject({
      failure: 'interrupted',
    });
    expect(fs.statSync(`${dest}.part`).size).toBe(40);
  });

  it('names what is malformed: a status line, a chunk size, a Content-Length', async () => {
    script = ['SSH-2.0-OpenSSH_9.2\r\n\r\n'];
    await expect(body()).rejects.toThrow(/"SSH-2.0-OpenSSH_9.2" is not an HTTP\/1.x status line/);
    script = ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'];
    await expect(body()).rejects.toThrow(/malformed chunked body: "zz" is not a chunk size/);
    script = ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'];
    await expect(body()).rejects.toThrow(/Content-Length "-1" is not a byte count/);
  });

  it('refuses to send a header value that would smuggle in another header', async () => {
    script = ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'];
    await expect(httpGet(url(), { headers: { 'if-range': '"x"\r\nEvil: 1' } })).rejects.toThrow(
      /Refused to send the header if-range/,
    );
  });
});
