import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download } from '../../main/provisioning/downloads.js';
import { fixtureBytes } from '../unit/provisioning/fixture-server.js';

/**
 * Downloads over https (TLS read by GenOS's own response reader), directly and through a proxy's
 * CONNECT tunnel, from a server on 127.0.0.1 with a certificate made here by openssl. Trusting
 * that certificate needs NODE_EXTRA_CA_CERTS, which Node reads only at start-up, so the
 * successful downloads run in a child process; this one checks that an untrusted one is refused.
 */
const DOWNLOADS = path.resolve('main/provisioning/downloads.ts');
const CHILD = `
import { download } from ${JSON.stringify(DOWNLOADS)};
const [url, dest, sha, proxy] = process.argv.slice(1);
const r = await download({ url, dest, sha256: sha, proxy: proxy || undefined });
console.log(JSON.stringify(r));
`;
const body = fixtureBytes(2 * 1024 * 1024 + 3, 5);
const sha = createHash('sha256').update(body).digest('hex');
let tmp = '';
let server: https.Server;
let proxy: http.Server;
const tunnels: string[] = [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-https-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      path.join(tmp, 'key.pem'),
      '-out',
      path.join(tmp, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  server = https.createServer(
    {
      key: fs.readFileSync(path.join(tmp, 'key.pem')),
      cert: fs.readFileSync(path.join(tmp, 'cert.pem')),
    },
    (req, res) => {
      if (req.url === '/chunked') {
        // No Content-Length: node:http sends it chunked.
        res.writeHead(200);
        for (let i = 0; i < body.length; i += 300_000) res.write(body.subarray(i, i + 300_000));
        res.end();
        return;
      }
      res.writeHead(200, { 'content-length': String(body.length), etag: '"t1"' }).end(body);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy = http.createServer((_q, res) => res.writeHead(405).end());
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(`${req.url ?? ''} ${req.headers['proxy-authorization'] ?? ''}`);
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client).on('error', () => {});
      client.pipe(up).on('error', () => {});
    });
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  server.closeAllConnections();
  proxy.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => proxy.close(() => r()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

const url = (p: string) => `https://127.0.0.1:${(server.address() as AddressInfo).port}${p}`;
const proxyUrl = () => `http://u:p@127.0.0.1:${(proxy.address() as AddressInfo).port}`;

/** Asynchronous: the servers answering the child run in this process's event loop. */
function childDownload(
  from: string,
  dest: string,
  via = '',
): Promise<{ bytes: number; verified: boolean }> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD, from, dest, sha, via],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(tmp, 'cert.pem') } },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `the child download failed (${String(err.code)} ${String(err.signal)}): ${stderr} ${stdout}`,
            ),
          );
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
      },
    ),
  );
}

describe('https downloads', () => {
  it('refuses a server whose certificate is not trusted, keeping nothing as complete', async () => {
    const dest = path.join(tmp, 'untrusted.img');
    await expect(download({ url: url('/img'), dest, sha256: sha })).rejects.toThrow(
      /self-signed certificate/,
    );
    expect(fs.existsSync(dest)).toBe(false);
  });

  it('downloads and verifies over TLS: directly, chunked, and through a CONNECT tunnel', async () => {
    const direct = path.join(tmp, 'direct.img');
    expect(await childDownload(url('/img'), direct)).toMatchObject({
      bytes: body.length,
      verified: true,
    });
    expect(fs.readFileSync(direct).equals(body)).toBe(true);
    const chunked = path.join(tmp, 'chunked.img');
    expect(await childDownload(url('/chunked'), chunked)).toMatchObject({ verified: true });
    const tunnelled = path.join(tmp, 'tunnel.img');
    expect(await childDownload(url('/img'), tunnelled, proxyUrl())).toMatchObject({
      verified: true,
    });
    expect(fs.readFileSync(tunnelled).equals(body)).toBe(true);
    const port = (server.address() as AddressInfo).port;
    expect(tunnels).toEqual([`127.0.0.1:${port} Basic ${Buffer.from('u:p').toString('base64')}`]);
  });
});
