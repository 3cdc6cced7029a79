/**
 * Stands in for the GenOS app in the re-adoption test: starts one VM through QemuBackend, holds
 * its QMP and console connections like the app would, prints "STARTED <pid>", then waits to be
 * SIGKILLed. Run: node --import tsx app-process-child.ts <dataDir> <envId> <specJson> <marker>
 */
import { QemuBackend } from '../../../main/backends/qemu/qemu-backend.js';
import type { EnvironmentSpec } from '../../../preload/contract.js';
import { tcgHost } from '../../helpers/vm-test-env.js';

const [dataDir, envId, specJson, readyMarker] = process.argv.slice(2);
const backend = new QemuBackend({ dataDir: dataDir! });
const env = { id: envId!, spec: JSON.parse(specJson!) as EnvironmentSpec, handles: {} };
const handles = await backend.start(
  env,
  await tcgHost(),
  () => undefined,
  new AbortController().signal,
);
const con = await backend.openConsole(env);
// Like an app that has been running a while: the guest is up before the "app" dies.
await new Promise<void>((resolve) => {
  let seen = '';
  con.stream.on('data', (d: Buffer) => {
    seen += d.toString('latin1');
    if (seen.includes(readyMarker!)) resolve();
  });
});
process.stdout.write(`STARTED ${String(handles.pid)}\n`);
setInterval(() => undefined, 60_000);
