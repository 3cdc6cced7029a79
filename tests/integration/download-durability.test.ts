import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendAvailable } from '../helpers/backends.js';
import { FixtureServer, fileRoute, fixtureBytes } from '../unit/provisioning/fixture-server.js';

/**
 * A finished download must survive a power cut as a whole file or not at all: its bytes reach
 * the disk (fsync of the .part) before the final name exists (the rename), and the rename
 * reaches it (fsync of the directory) before GenOS reports the image as there. Watched with
 * strace on a child process downloading 40 MiB (the worker hash and direct writes of a real
 * image's size) from a server on 127.0.0.1.
 */
const DOWNLOADS = path.resolve('main/provisioning/downloads.ts');
const CHILD = `
import { download } from ${JSON.stringify(DOWNLOADS)};
const [url, dest, sha] = process.argv.slice(1);
const r = await download({ url, dest, sha256: sha });
console.log(JSON.stringify(r));
`;
const body = fixtureBytes(40 * 1024 * 1024 + 1234, 7);
const sha = createHash('sha256').update(body).digest('hex');
let tmp = '';
let server: FixtureServer;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-durable-'));
  server = await new FixtureServer().start();
  server.routes.set(
    '/img',
    fileRoute(() => body, { etag: () => '"d1"' }),
  );
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

type Call = { name: string; args: string; doneAt: number; startAt: number };

/** strace -f -y lines, an interrupted call joined to its end: `pid name(args) = ret`. */
function calls(log: string): Call[] {
  const out: Call[] = [];
  const open = new Map<string, Call>();
  log.split('\n').forEach((line, i) => {
    let m = /^(\d+)\s+(\w+)\((.*) <unfinished \.\.\.>$/.exec(line);
    if (m) {
      const c = { name: m[2]!, args: m[3]!, startAt: i, doneAt: -1 };
      open.set(m[1]!, c);
      out.push(c);
      return;
    }
    m = /^(\d+)\s+<\.\.\. (\w+) resumed>.*= 0$/.exec(line);
    if (m) {
      const c = open.get(m[1]!);
      if (c && c.name === m[2]) c.doneAt = i;
      return;
    }
    m = /^(\d+)\s+(\w+)\((.*)\)\s+= 0$/.exec(line);
    if (m) out.push({ name: m[2]!, args: m[3]!, startAt: i, doneAt: i });
  });
  return out;
}

describe('download durability', () => {
  it('fsyncs the .part, then renames it, then fsyncs the directory', async (ctx) => {
    if (!backendAvailable('strace')) return ctx.skip();
    const dest = path.join(tmp, 'base.img');
    const log = path.join(tmp, 'strace.log');
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        'strace',
        [
          ...['-f', '-y', '-o', log, '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2'],
          ...[process.execPath, '--import', 'tsx', '--input-type=module', '-e', CHILD],
          ...[server.url('/img'), dest, sha],
        ],
        (err, out, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(out)),
      ),
    );
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({
      bytes: body.length,
      verified: true,
    });
    expect(fs.readFileSync(dest).equals(body)).toBe(true);

    const seen = calls(fs.readFileSync(log, 'utf8'));
    const partSync = seen.find(
      (c) => /^f(data)?sync$/.test(c.name) && c.args.endsWith(`<${dest}.part>`),
    );
    const rename = seen.find(
      (c) =>
        c.name.startsWith('rename') &&
        c.args.includes(`"${dest}.part"`) &&
        c.args.includes(`"${dest}"`),
    );
    const dirSync = seen.find((c) => /^f(data)?sync$/.test(c.name) && c.args.endsWith(`<${tmp}>`));
    expect(partSync, 'an fsync of the .part').toBeDefined();
    expect(rename, 'the rename of the .part to its final name').toBeDefined();
    expect(dirSync, "an fsync of the download's directory").toBeDefined();
    expect(partSync!.doneAt).toBeGreaterThanOrEqual(0);
    expect(partSync!.doneAt).toBeLessThan(rename!.startAt);
    expect(rename!.doneAt).toBeGreaterThanOrEqual(0);
    expect(rename!.doneAt).toBeLessThan(dirSync!.startAt);
  }, 120_000);
});
