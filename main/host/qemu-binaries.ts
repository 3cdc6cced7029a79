import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findOnPath, listOnPath } from './path-lookup.js';

const execFileP = promisify(execFile);

export type QemuSystem = { arch: string; path: string; version: string };
export type QemuImg = { path: string; version: string };
/** A binary that is on PATH but failed `--version`: present, yet unusable. */
export type BrokenBinary = { name: string; path: string; error: string };
export type QemuBinaries = { systems: QemuSystem[]; img: QemuImg | null; broken: BrokenBinary[] };

/** Runs `<file> --version` and returns its output; injectable so tests need no real qemu. */
export type VersionRunner = (file: string, env: NodeJS.ProcessEnv) => Promise<string>;

// Plain arch suffixes only: Debian also ships variants such as qemu-system-x86_64-microvm.
const SYSTEM_NAME = /^qemu-system-([A-Za-z0-9_]+)$/;
const VERSION_TIMEOUT_MS = 5_000;

/**
 * "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)" -> "7.2.22". Old releases
 * put no space before the parenthesis ("version 2.11.1(Debian ...)"), hence no \b after it.
 */
export function parseQemuVersion(output: string): string | null {
  const m = /\bversion\s+v?(\d+\.\d+(?:\.\d+)?)/i.exec(output);
  return m?.[1] ?? null;
}

export const runVersion: VersionRunner = async (file, env) => {
  const { stdout, stderr } = await execFileP(file, ['--version'], {
    env,
    timeout: VERSION_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024,
  });
  return `${stdout}\n${stderr}`;
};

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]?.trim() || 'unknown error';
}

async function versionOf(
  name: string,
  file: string,
  env: NodeJS.ProcessEnv,
  run: VersionRunner,
): Promise<{ version: string } | { broken: BrokenBinary }> {
  try {
    const out = await run(file, env);
    const version = parseQemuVersion(out);
    if (version) return { version };
    return {
      broken: { name, path: file, error: `unrecognised --version output: ${firstLine(out)}` },
    };
  } catch (e) {
    return { broken: { name, path: file, error: `--version failed: ${firstLine(e)}` } };
  }
}

/** Finds every qemu-system-<arch> and qemu-img on PATH and asks each for its version. Never throws. */
export async function probeQemuBinaries(
  env: NodeJS.ProcessEnv,
  run: VersionRunner = runVersion,
): Promise<QemuBinaries> {
  const [systemFiles, imgFile] = await Promise.all([
    listOnPath(SYSTEM_NAME, env).catch(() => new Map<string, string>()),
    findOnPath('qemu-img', env).catch(() => null),
  ]);
  const broken: BrokenBinary[] = [];
  const [systems, imgVersion] = await Promise.all([
    Promise.all(
      [...systemFiles].map(async ([name, file]): Promise<QemuSystem | null> => {
        const v = await versionOf(name, file, env, run);
        if ('broken' in v) {
          broken.push(v.broken);
          return null;
        }
        return { arch: SYSTEM_NAME.exec(name)?.[1] ?? name, path: file, version: v.version };
      }),
    ),
    imgFile ? versionOf('qemu-img', imgFile, env, run) : null,
  ]);
  let img: QemuImg | null = null;
  if (imgFile && imgVersion) {
    if ('broken' in imgVersion) broken.push(imgVersion.broken);
    else img = { path: imgFile, version: imgVersion.version };
  }
  return {
    systems: systems
      .filter((s): s is QemuSystem => s !== null)
      .sort((a, b) => a.arch.localeCompare(b.arch)),
    img,
    broken: broken.sort((a, b) => a.name.localeCompare(b.name)),
  };
}
