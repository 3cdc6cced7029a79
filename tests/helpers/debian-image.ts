import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { EnvironmentSpec, EnvironmentSpecInput } from '../../preload/contract.js';
import { writeLocalCatalog } from './local-catalog-file.js';
import { baseSpec } from './spec-fixture.js';

/**
 * The Debian 12 image scripts/build-debian-image.sh builds from Debian's archive, as a catalog
 * base for "debian 12" in a data dir, so a real guest boots without fetching from the internet.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
export const DEBIAN_IMAGE_SCRIPT = path.join(root, 'scripts', 'build-debian-image.sh');
const OUT = path.join(root, '.cache', 'debian-image');

/** Builds the image when missing (the script is a no-op when its output is up to date). */
export function ensureDebianImage(): Promise<{ file: string; sha256: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [DEBIAN_IMAGE_SCRIPT, OUT],
      { timeout: 40 * 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`${DEBIAN_IMAGE_SCRIPT} failed: ${err.message}\n${stdout}\n${stderr}`));
          return;
        }
        const m = JSON.parse(fs.readFileSync(path.join(OUT, 'debian-image.json'), 'utf8')) as {
          image: string;
          sha256: string;
        };
        resolve({ file: path.resolve(OUT, m.image), sha256: m.sha256 });
      },
    );
  });
}

/** The user catalog entry (catalog.local.json) that makes the image the base of debian 12. */
export function writeDebianCatalog(dataDir: string, image: { file: string; sha256: string }) {
  writeLocalCatalog(dataDir, {
    os: 'debian',
    version: '12',
    name: 'Debian 12 (built from the archive)',
    url: `file://${image.file}`,
    ...(image.sha256 ? { sha256: image.sha256 } : {}),
    format: 'qcow2',
    compression: 'none',
    cloudInit: true,
  });
}

/** A Debian 12 VM from the catalog base with room for cloud-init (1 GiB, 4 GiB disk), headless. */
export function debianVmSpec(
  name: string,
  over: Partial<EnvironmentSpecInput> = {},
): EnvironmentSpec {
  return baseSpec({
    name,
    os: { id: 'debian', version: '12' },
    resources: { cpus: 1, memoryMiB: 1024, diskGiB: 4 },
    image: { kind: 'catalog' },
    ...over,
  });
}
