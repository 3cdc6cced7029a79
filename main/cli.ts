import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultDataDir } from './core/data-dir.js';
import { isGenosError } from './core/errors.js';
import { GENOS_VERSION } from './core/version.js';
import { runDoctor } from './cli/doctor.js';
import { runServe } from './cli/serve.js';
import { runEvents, runList } from './cli/list.js';
import { openApiSession, type ApiSession } from './cli/api-session.js';
import { runLifecycle, runLogs, runResize } from './cli/env-commands.js';
import { runImages, runImport, runPullContainer } from './cli/image-commands.js';
import { catalogSubcommand, runCatalogCommand } from './cli/catalog-commands.js';
import { runCompose } from './cli/compose.js';
import { runCredentials } from './cli/credentials.js';
import { runUp } from './cli/up.js';
import { runInstallDone } from './cli/install-command.js';

const USAGE = `genos ${GENOS_VERSION} — local sandboxes from a sentence

Usage: genos <command> [options]

Commands:
  serve            Serve the GenOS UI and API to a browser on this machine
                   --host H (127.0.0.1)  --port N (7450; 0 picks a free one)  --json
  compose "<prompt>"
                   Turn a sentence into an environment spec, offline  [--json | --jsonl]
  up "<prompt>" | <recipe.json|yaml>
                   Compose (or load) and start environments  [--dry-run] [--save FILE] [--json]
                   --wait: until each is ready (running, a VM provisioned, a health check
                   passed), at most --timeout SECONDS (900); exit 3 if one failed, 4 on timeout
  doctor           Check this host: QEMU, KVM or TCG, container engine, resources  [--json]
  ls               List environments  [--json]
  start|stop|kill|pause|resume|restart|rm <name|id>...
                   Act on environments (stop: --timeout SECONDS before it is killed, default 30)
  credentials <name|id>
                   The login GenOS made in a catalog VM (user, password, SSH port)  [--json]
  logs <name|id>   The newest console output (VM serial console, container logs)
                   [-f|--follow until Ctrl+C or it stops] [--since 10m|ISO-TIME (containers)]
  resize <name|id> <size>
                   Grow a stopped VM's disk to size (20G, 20GiB or a number of GiB)
  install-done <name|id>
                   An ISO install is finished: detach the ISO and boot the disk from now on
  images           List the image library  [--json]
  images catalog   OS base images and installer ISOs: cached, partly downloaded or absent
                   (+ the file to drop in)  [--json]
  images pull <os> [version]
                   Download (or resume) an OS base image, checksum verified  [--json]
                   [--iso: the OS's installer ISO instead; add-base and rm-base take it too]
  images pull-container <ref>
                   Pull a container image from a registry, with per-layer progress
  images add-base <os> <version> <file>
                   Offline: use a file you have as the OS base image  [--json]
  images rm-base <os> <version>
                   Delete a cached OS base image (refused while an environment uses it)
  import <file>    Add a disk image or ISO to the library (copied; --reference to use it in place)
                   [--format qcow2|raw|vdi|vhdx|vmdk|iso] [--name NAME]
                   A .tar goes to the container engine: a docker save tarball, or with
                   --rootfs [--tag repo:tag] a root filesystem
  events           Show the newest audit log entries  [--limit N] [--json]
  version          Print the version

Every command takes --data-dir DIR (default: $GENOS_DATA_DIR, else $XDG_DATA_HOME/genos).
`;

const DEFAULT_PORT = 7450;

function rendererDir(): string {
  // cli.js is built into out/main; the UI sits beside it in out/renderer.
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
}

function parsePort(value: string | undefined): number {
  const port = value === undefined ? DEFAULT_PORT : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, not "${value}".`);
  }
  return port;
}

class UsageError extends Error {}

/** `genos up --wait --timeout SEC`: whole seconds, default 900 (a VM's first boot under TCG). */
function parseWaitTimeout(value: string | undefined): number {
  const sec = value === undefined ? 900 : Number(value);
  if (!Number.isInteger(sec) || sec < 1 || sec > 86_400) {
    throw new UsageError(`--timeout must be whole seconds from 1 to 86400, not "${value}".`);
  }
  return sec;
}

async function withSession(
  dataDir: string,
  fn: (s: ApiSession) => Promise<number>,
  opts: { follow?: boolean } = {},
): Promise<number> {
  const session = await openApiSession(dataDir, opts);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: {
      reference: { type: 'boolean', default: false },
      rootfs: { type: 'boolean', default: false },
      tag: { type: 'string' },
      jsonl: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      save: { type: 'string' },
      timeout: { type: 'string' },
      format: { type: 'string' },
      name: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      limit: { type: 'string', default: '50' },
      follow: { type: 'boolean', short: 'f', default: false },
      since: { type: 'string' },
      iso: { type: 'boolean', default: false },
    },
  });
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaultDataDir();
  const out = process.stdout;
  switch (command) {
    case 'serve':
      return runServe(
        {
          host: values.host,
          port: parsePort(values.port),
          dataDir,
          rendererDir: rendererDir(),
          json: values.json,
        },
        out,
      );
    case 'compose':
      return runCompose(
        {
          prompt: positionals.length ? positionals.join(' ') : null,
          json: values.json,
          jsonl: values.jsonl,
        },
        { stdin: process.stdin, out, err: process.stderr },
      );
    case 'up':
      return withSession(
        dataDir,
        (s) =>
          runUp(
            s,
            {
              words: positionals,
              dryRun: values['dry-run'],
              ...(values.save ? { save: values.save } : {}),
              json: values.json,
              ...(values.wait ? { wait: { timeoutSec: parseWaitTimeout(values.timeout) } } : {}),
            },
            { out, err: process.stderr },
          ),
        // Waiting in-process, the CLI follows health and exits itself while it holds the dir.
        { follow: values.wait },
      );
    case 'doctor':
      return runDoctor({ json: values.json, dataDir }, out);
    case 'ls':
      return withSession(dataDir, (s) => runList(s, values.json, out));
    case 'events': {
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new UsageError('--limit must be 1 to 1000.');
      return withSession(dataDir, (s) => runEvents(s, limit, values.json, out));
    }
    case 'start':
    case 'stop':
    case 'kill':
    case 'pause':
    case 'resume':
    case 'restart':
    case 'rm':
      return withSession(dataDir, (s) =>
        runLifecycle(
          s,
          command,
          positionals,
          out,
          values.timeout ? { timeoutSec: Number(values.timeout) } : {},
        ),
      );
    case 'credentials':
      return withSession(dataDir, (s) => runCredentials(s, positionals[0], values.json, out));
    case 'logs':
      return withSession(dataDir, (s) =>
        runLogs(s, positionals[0], out, { follow: values.follow, since: values.since }),
      );
    case 'resize':
      return withSession(dataDir, (s) => runResize(s, positionals[0], positionals[1], out));
    case 'install-done':
      return withSession(dataDir, (s) => runInstallDone(s, positionals[0], out));
    case 'images': {
      if (positionals[0] === 'pull-container')
        return withSession(dataDir, (s) =>
          runPullContainer(s, positionals[1], { out, err: process.stderr }),
        );
      const sub = catalogSubcommand(positionals[0]);
      if (sub)
        return withSession(dataDir, (s) =>
          runCatalogCommand(
            s,
            sub,
            positionals.slice(1),
            { json: values.json, media: values.iso ? 'installer-iso' : 'cloud-image' },
            { out, err: process.stderr },
          ),
        );
      return withSession(dataDir, (s) => runImages(s, values.json, out));
    }
    case 'import':
      return withSession(dataDir, (s) =>
        runImport(
          s,
          {
            file: positionals[0],
            reference: values.reference,
            ...(values.format ? { format: values.format } : {}),
            ...(values.name ? { name: values.name } : {}),
            rootfs: values.rootfs,
            ...(values.tag ? { tag: values.tag } : {}),
          },
          { out, err: process.stderr },
        ),
      );
    case 'version':
    case '--version':
      out.write(`${GENOS_VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out.write(USAGE);
      return 0;
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (
      err instanceof UsageError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`genos: ${(err as Error).message}\nRun "genos help" for usage.\n`);
      process.exitCode = 2;
    } else if (isGenosError(err)) {
      process.stderr.write(`genos: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `genos: unexpected failure: ${err instanceof Error ? err.stack : String(err)}\n`,
      );
      process.exitCode = 70;
    }
  },
);
