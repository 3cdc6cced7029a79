/**
 * A test registry on 127.0.0.1: the read side of the Docker Registry HTTP API V2 (the version
 * check, manifests and blobs by HEAD/GET), serving one image built from a local one with
 * `docker save`. dockerd treats 127.0.0.0/8 as an insecure registry by default, so
 * `docker pull 127.0.0.1:PORT/<repo>:<tag>` works with no network and no TLS.
 *
 * Every instance serves a new image id (a label in the config) and new layer digests (a gzip
 * header stamp): the engine would otherwise find the image or its blobs already known and skip
 * the download this fixture exists to exercise.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const CONFIG_V1 = 'application/vnd.docker.container.image.v1+json';
const LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export type LocalRegistry = {
  /** host:port, the registry part of a reference. */
  host: string;
  repo: string;
  tag: string;
  /** `host/repo:tag`. */
  ref: string;
  /** Layer digests (sha256:...), in manifest order. */
  layers: string[];
  /** Blob bodies go out in chunks of `chunk` bytes, `delayMs` apart (0: all at once). */
  throttle(chunk: number, delayMs: number): void;
  /** Request lines seen ("GET /v2/..."), for assertions. */
  requests: string[];
  close(): Promise<void>;
};

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The files of a tar archive (ustar headers; enough for what `docker save` writes). */
function untar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number) => h.toString('latin1', a, a + n).replace(/\0.*$/s, '');
    const prefix = str(345, 155);
    const name = (prefix ? `${prefix}/` : '') + str(0, 100);
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = str(156, 1);
    if (type === '0' || type === '') files.set(name, tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

export async function startLocalRegistry(
  image: string,
  opts: { repo?: string; tag?: string } = {},
): Promise<LocalRegistry> {
  const repo = opts.repo ?? 'genos-test/busybox';
  const tag = opts.tag ?? `pull-${randomBytes(4).toString('hex')}`;
  const { stdout } = await promisify(execFile)('docker', ['save', image], {
    encoding: 'buffer',
    maxBuffer: 512 * 1024 * 1024,
  });
  const files = untar(stdout);
  const saved = JSON.parse(String(files.get('manifest.json'))) as Array<{
    Config: string;
    Layers: string[];
  }>;
  const entry = saved[0]!;
  const config = JSON.parse(String(files.get(entry.Config))) as {
    config?: { Labels?: Record<string, string> | null };
  };
  config.config = config.config ?? {};
  config.config.Labels = { ...config.config.Labels, 'genos.test-registry': tag };
  const configBlob = Buffer.from(JSON.stringify(config));
  const stamp = randomBytes(4);
  const layerBlobs = entry.Layers.map((name) => {
    const body = files.get(name);
    if (!body) throw new Error(`docker save of ${image} has no ${name}`);
    // Level 1 keeps the blobs big enough (busybox barely compresses) for several progress steps.
    const gz = zlib.gzipSync(body, { level: 1 });
    stamp.copy(gz, 4); // the gzip MTIME field: a new digest, the same content
    return gz;
  });
  const blobs = new Map<string, { body: Buffer; type: string }>();
  blobs.set(sha256(configBlob), { body: configBlob, type: CONFIG_V1 });
  for (const b of layerBlobs) blobs.set(sha256(b), { body: b, type: LAYER_GZIP });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_V2,
      config: { mediaType: CONFIG_V1, size: configBlob.length, digest: sha256(configBlob) },
      layers: layerBlobs.map((b) => ({ mediaType: LAYER_GZIP, size: b.length, digest: sha256(b) })),
    }),
  );
  const manifestDigest = sha256(manifest);

  let chunk = 0;
  let delayMs = 0;
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const sendBody = (res: http.ServerResponse, body: Buffer) => {
    if (!delayMs || !chunk) return void res.end(body);
    let off = 0;
    const next = () => {
      if (res.destroyed) return;
      const part = body.subarray(off, off + chunk);
      off += part.length;
      if (off >= body.length) return void res.end(part);
      res.write(part);
      const t = setTimeout(() => {
        timers.delete(t);
        next();
      }, delayMs);
      timers.add(t);
    };
    next();
  };

  const notFound = (res: http.ServerResponse, code: string, message: string) => {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code, message }] }));
  };

  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    const url = new URL(req.url ?? '/', 'http://x');
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      return void res.end();
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end('{}');
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m || m[1] !== repo) return notFound(res, 'NAME_UNKNOWN', `repository ${m?.[1]} unknown`);
    const [, , kind, reference] = m;
    if (kind === 'manifests') {
      if (reference !== tag && reference !== manifestDigest)
        return notFound(res, 'MANIFEST_UNKNOWN', `manifest ${reference} unknown`);
      res.writeHead(200, {
        'Content-Type': MANIFEST_V2,
        'Content-Length': manifest.length,
        'Docker-Content-Digest': manifestDigest,
      });
      return void res.end(head ? undefined : manifest);
    }
    const blob = blobs.get(reference!);
    if (!blob) return notFound(res, 'BLOB_UNKNOWN', `blob ${reference} unknown`);
    res.writeHead(200, {
      'Content-Type': blob.type,
      'Content-Length': blob.body.length,
      'Docker-Content-Digest': reference,
    });
    if (head) return void res.end();
    sendBody(res, blob.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    repo,
    tag,
    ref: `${host}/${repo}:${tag}`,
    layers: layerBlobs.map(sha256),
    throttle(c, d) {
      chunk = c;
      delayMs = d;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
