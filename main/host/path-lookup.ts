import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * PATH lookups done by hand rather than through a shell. Relative PATH entries (".", "") are
 * skipped: they would make the answer depend on the current directory, which lets a file dropped
 * into a project folder pose as qemu.
 */
export function pathDirs(env: NodeJS.ProcessEnv): string[] {
  const seen = new Set<string>();
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && path.isAbsolute(dir)) seen.add(path.resolve(dir));
  }
  return [...seen];
}

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, like a shell would pick, or null. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of pathDirs(env)) {
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Executables on PATH whose name matches, first occurrence of each name winning. */
export async function listOnPath(
  pattern: RegExp,
  env: NodeJS.ProcessEnv,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const dir of pathDirs(env)) {
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      continue; // PATH often names directories that do not exist; that is not an error
    }
    for (const name of names.sort()) {
      if (found.has(name) || !pattern.test(name)) continue;
      const file = path.join(dir, name);
      if (await isExecutableFile(file)) found.set(name, file);
    }
  }
  return found;
}
