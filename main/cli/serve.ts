import fs from 'node:fs';
import { startCore } from '../core/app-core.js';
import { isLoopback, startServeServer } from '../transport/serve-server.js';

export type ServeArgs = {
  host: string;
  port: number;
  dataDir: string;
  rendererDir: string;
  json: boolean;
};

/** `genos serve`: owns the data dir, serves the UI and API until SIGINT/SIGTERM. */
export async function runServe(args: ServeArgs, out: NodeJS.WritableStream): Promise<number> {
  // Listen for the stop signals before anything is printed: whoever reads the URL may signal at once.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const core = await startCore({ dataDir: args.dataDir, mode: 'serve', ownerSocket: true });
  let handle;
  try {
    const rendererDir = fs.existsSync(args.rendererDir) ? args.rendererDir : null;
    if (!rendererDir)
      console.warn(
        `genos: no built UI at ${args.rendererDir}; run npm run build. Serving the API only.`,
      );
    const token = process.env.GENOS_SERVE_TOKEN || undefined;
    handle = await startServeServer(core, { host: args.host, port: args.port, rendererDir, token });
  } catch (err) {
    await core.dispose();
    throw err;
  }
  if (args.json) {
    out.write(
      JSON.stringify({ url: handle.url, port: handle.port, token: handle.token, wsPath: '/api' }) +
        '\n',
    );
  } else {
    out.write(
      `GenOS is serving ${args.dataDir}\n\n    ${handle.url}\n\nOpen that link (it carries the access token). Ctrl+C stops.\n`,
    );
    if (!isLoopback(args.host)) {
      out.write(
        `\nWarning: listening on ${args.host}, not loopback: anyone who learns the token can use it.\n`,
      );
    }
  }

  await stopped;
  // A clean stop takes well under a second; never hang the user's Ctrl+C on a stuck close.
  setTimeout(() => {
    process.stderr.write('genos: stopping took too long; exiting anyway.\n');
    process.exit(1);
  }, 10_000).unref();
  await handle.close();
  await core.dispose();
  return 0;
}
