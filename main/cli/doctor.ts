import { HostInfo } from '../../preload/contract.js';
import { formatHostReport } from '../host/host-report.js';
import { probeHost } from '../host/probe.js';

/**
 * `genos doctor [--json]`: probes this host and prints what GenOS can use. Exit code 0 whenever
 * the probe ran, also when things are missing: the report, not the code, says what to fix.
 */
export async function runDoctor(
  args: { json: boolean; dataDir: string },
  out: NodeJS.WritableStream,
): Promise<number> {
  const t0 = performance.now();
  const info = await probeHost({ dataDir: args.dataDir });
  const elapsedMs = Math.round(performance.now() - t0);
  if (args.json) {
    // Parsed before printing so scripts never receive JSON that breaks the contract.
    out.write(JSON.stringify(HostInfo.parse(info), null, 2) + '\n');
  } else {
    out.write(formatHostReport(info, elapsedMs));
  }
  return 0;
}
