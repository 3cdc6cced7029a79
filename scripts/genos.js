#!/usr/bin/env node
// The `genos` command. The CLI is TypeScript built into out/main/cli.js; build it on first use
// so `npx genos ...` works straight after `npm install` in a fresh clone.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.js')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) {
    process.stderr.write(
      'genos: could not build the CLI; run `npm run build` and read its errors.\n',
    );
    process.exit(1);
  }
}
await import(pathToFileURL(cli).href);
