import fs from 'node:fs';
import path from 'node:path';

/** A data dir's user catalog (catalog.local.json): these entries are taken over the built-in ones. */
export function writeLocalCatalog(dataDir: string, ...images: Record<string, unknown>[]): void {
  fs.writeFileSync(path.join(dataDir, 'catalog.local.json'), JSON.stringify({ images }));
}
