import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GenosError } from '../core/errors.js';
import type { Seed } from './cloud-init.js';
import { buildIso } from './iso9660.js';
import { readIso } from './iso9660-read.js';

/**
 * Writes a seed as the NoCloud volume (ISO9660, label "cidata"). Uses genisoimage or xorriso
 * when one is installed (Joliet + Rock Ridge, the tools cloud-localds uses), else GenOS's own
 * writer (iso9660.ts, Joliet). Either way the result is read back and compared with the seed
 * before it is returned, so a broken tool can never hand a guest a wrong seed.
 */
export type SeedTool = 'genisoimage' | 'xorriso' | 'builtin';
export const SEED_LABEL = 'cidata';

export async function writeSeedIso(
  seed: Pick<Seed, 'files'>,
  out: string,
  o: { tool?: SeedTool | 'auto' } = {},
): Promise<{ path: string; tool: SeedTool }> {
  const files = Object.entries(seed.files).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
  const tool = o.tool && o.tool !== 'auto' ? o.tool : await pickTool();
  const tmp = `${out}.tmp`;
  try {
    if (tool === 'builtin') {
      await fs.writeFile(
        tmp,
        buildIso(
          SEED_LABEL,
          files.map(([name, data]) => ({ name, data })),
        ),
      );
    } else {
      await withExternalTool(tool, files, tmp);
    }
    await verifySeedIso(tmp, files);
    await fs.rename(tmp, out);
    return { path: out, tool };
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

async function pickTool(): Promise<SeedTool> {
  for (const t of ['genisoimage', 'xorriso'] as const) if (await onPath(t)) return t;
  return 'builtin';
}

async function onPath(cmd: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      await fs.access(path.join(dir, cmd), fs.constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

async function withExternalTool(
  tool: 'genisoimage' | 'xorriso',
  files: Array<[string, string]>,
  out: string,
): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-seed-'));
  try {
    for (const [name, data] of files) await fs.writeFile(path.join(dir, name), data);
    const names = files.map(([n]) => n);
    const common = [
      '-output',
      path.resolve(out),
      '-volid',
      SEED_LABEL,
      '-joliet',
      '-rock',
      '-quiet',
      '--',
      ...names,
    ];
    const [cmd, args] =
      tool === 'genisoimage' ? ['genisoimage', common] : ['xorriso', ['-as', 'mkisofs', ...common]];
    await new Promise<void>((resolve, reject) => {
      execFile(cmd, args, { cwd: dir, timeout: 30_000 }, (err, _o, stderr) =>
        err
          ? reject(
              new GenosError(
                'UNAVAILABLE',
                `${cmd} could not build the cloud-init seed: ${stderr.trim() || err.message}`,
              ),
            )
          : resolve(),
      );
    });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The volume must carry the label and exactly the seed's files, byte for byte. */
export async function verifySeedIso(file: string, files: Array<[string, string]>): Promise<void> {
  const vol = readIso(await fs.readFile(file));
  const problems: string[] = [];
  if (vol.label !== SEED_LABEL) problems.push(`label "${vol.label}"`);
  for (const [name, data] of files) {
    const got = vol.files.get(name);
    if (!got || !got.equals(Buffer.from(data, 'utf8')))
      problems.push(`${name} ${got ? 'differs' : 'missing'}`);
  }
  if (problems.length)
    throw new GenosError(
      'INTERNAL',
      `The cloud-init seed ${file} did not read back correctly (${problems.join(', ')}).`,
    );
}
