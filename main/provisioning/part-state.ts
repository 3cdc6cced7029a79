import fs from 'node:fs/promises';

/**
 * The sidecar `<dest>.part.json` next to `<dest>.part`: what a later run (after a crash or an
 * app restart) needs to resume with a Range request that is still about the same file. The
 * .part's size on disk is the truth for "bytes so far"; `bytes` here is informational (the UI's
 * percent without a stat of the .part).
 */
export type PartState = {
  url: string;
  etag: string | null;
  lastModified: string | null;
  total: number | null;
  bytes: number;
  updatedAt: string;
};

export function partPaths(dest: string): { part: string; sidecar: string } {
  return { part: `${dest}.part`, sidecar: `${dest}.part.json` };
}

export async function readPartState(
  dest: string,
): Promise<{ state: PartState | null; size: number }> {
  const { part, sidecar } = partPaths(dest);
  let size: number;
  try {
    size = (await fs.stat(part)).size;
  } catch {
    return { state: null, size: 0 };
  }
  try {
    const s = JSON.parse(await fs.readFile(sidecar, 'utf8')) as Partial<PartState>;
    if (typeof s.url !== 'string') return { state: null, size };
    return {
      state: {
        url: s.url,
        etag: typeof s.etag === 'string' ? s.etag : null,
        lastModified: typeof s.lastModified === 'string' ? s.lastModified : null,
        total: typeof s.total === 'number' ? s.total : null,
        bytes: typeof s.bytes === 'number' ? s.bytes : 0,
        updatedAt: typeof s.updatedAt === 'string' ? s.updatedAt : '',
      },
      size,
    };
  } catch {
    return { state: null, size };
  }
}

/** Written via a temp file + rename, so a crash never leaves half a JSON document. */
export async function writePartState(
  dest: string,
  state: Omit<PartState, 'updatedAt'>,
): Promise<void> {
  const { sidecar } = partPaths(dest);
  const tmp = `${sidecar}.tmp`;
  await fs.writeFile(tmp, JSON.stringify({ ...state, updatedAt: new Date().toISOString() }));
  await fs.rename(tmp, sidecar);
}

export async function removePart(dest: string): Promise<void> {
  const { part, sidecar } = partPaths(dest);
  await Promise.all([fs.rm(part, { force: true }), fs.rm(sidecar, { force: true })]);
}
