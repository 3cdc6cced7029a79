/**
 * Child of tests/integration/data-dir-lock.test.ts: tries to own a data dir and reports on stdout.
 *   LOCKED <owner json> | CONFLICT <message>, then OWNER <readOwner() json>.
 * When it got the lock it holds it until stdin says "release" (then RELEASED) or closes.
 *
 * Usage: node --import tsx tests/helpers/store-lock-holder.ts <dataDir> <mode> [socketPath]
 */
import fs from 'node:fs';
import { lockDataDir, readOwner, type OwnerMode } from '../../main/core/data-dir-lock.js';
import { isGenosError } from '../../main/core/errors.js';

const [dataDir, mode, socketPath] = process.argv.slice(2);
if (!dataDir || !mode) throw new Error('usage: store-lock-holder.ts <dataDir> <mode> [socketPath]');

const say = (line: string) => fs.writeSync(1, `${line}\n`);

try {
  const lock = lockDataDir(dataDir, {
    mode: mode as OwnerMode,
    ...(socketPath ? { socketPath } : {}),
  });
  say(`LOCKED ${JSON.stringify(lock.owner)}`);
  say(`OWNER ${JSON.stringify(readOwner(dataDir))}`);
  process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
    if (chunk.includes('release')) {
      lock.release();
      say('RELEASED');
    }
  });
  process.stdin.on('end', () => process.exit(0));
} catch (e) {
  if (!isGenosError(e)) throw e;
  say(`CONFLICT ${e.code} ${e.message}`);
  say(`OWNER ${JSON.stringify(readOwner(dataDir))}`);
  process.exit(3);
}
