/**
 * The connection to a Docker-compatible engine (Docker or Podman's compat API). Finds the engine
 * with the host probe's candidate list (DOCKER_HOST, the Docker socket, Podman's rootful and
 * rootless sockets), keeps one dockerode client, notices when the engine goes away (a failed call
 * or a closed event stream) and keeps retrying in the background, telling listeners when it is
 * back so they can resume (the event stream resumes from the last event it saw).
 */
import type Docker from 'dockerode';
import { GenosError } from '../../core/errors.js';
import { dockerOptions, engineCandidates } from '../../host/engine-endpoints.js';
import { probeEngine, type EngineProbe } from '../../host/engine-probe.js';
import { isConnectionError, toGenosError } from './docker-errors.js';

export type EngineConnection = {
  docker: Docker;
  endpoint: string;
  kind: 'docker' | 'podman';
  version: string | null;
  apiVersion: string | null;
};

export type EngineState =
  | { up: true; endpoint: string; kind: 'docker' | 'podman'; version: string | null }
  | { up: false; error: string };

export type DockerEngineOptions = {
  env?: NodeJS.ProcessEnv;
  /** How long each candidate may take to answer /version while connecting. */
  timeoutMs?: number;
  /** Injectable so unit tests need no engine. */
  probe?: (env: NodeJS.ProcessEnv, timeoutMs: number) => Promise<EngineProbe>;
  /** Backoff between reconnect attempts while the engine is down. */
  retryMinMs?: number;
  retryMaxMs?: number;
};

/** The UNAVAILABLE error for "no engine answered", naming each endpoint tried and the fix. */
export function noEngineError(probe: EngineProbe, env: NodeJS.ProcessEnv): GenosError {
  const dockerHost = env.DOCKER_HOST?.trim();
  const tried = probe.engine.tried.map((t) => `${t.endpoint} (${t.error})`).join('; ');
  if (dockerHost && probe.engine.endpoint !== null) {
    const own = probe.engine.tried.find((t) => t.endpoint === dockerHost);
    return new GenosError(
      'UNAVAILABLE',
      `No container engine answers at DOCKER_HOST=${dockerHost}${own ? ` (${own.error})` : ''}. ` +
        `Start the engine that listens there, or fix DOCKER_HOST. ` +
        `An engine does answer at ${probe.engine.endpoint}: unset DOCKER_HOST to use it.`,
    );
  }
  return new GenosError(
    'UNAVAILABLE',
    `No container engine answers. Tried: ${tried || 'nothing'}. ${probe.fix ?? 'Start Docker or Podman'}` +
      (dockerHost ? ` (or unset DOCKER_HOST=${dockerHost} to use the default sockets).` : '.'),
  );
}

export class DockerEngine {
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;
  private readonly probe: (env: NodeJS.ProcessEnv, timeoutMs: number) => Promise<EngineProbe>;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private conn: EngineConnection | null = null;
  private connecting: Promise<EngineConnection> | null = null;
  private readonly listeners = new Set<(s: EngineState) => void>();
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  /** What listeners were last told (null: nothing yet), so each change is said once. */
  private reported: boolean | null = null;
  private closed = false;
  /** Why the engine is down, for messages; null while connected. */
  lastError: string | null = null;

  constructor(opts: DockerEngineOptions = {}) {
    this.env = opts.env ?? process.env;
    this.timeoutMs = opts.timeoutMs ?? 2_000;
    this.probe = opts.probe ?? ((env, t) => probeEngine(env, undefined, t));
    this.retryMinMs = opts.retryMinMs ?? 250;
    this.retryMaxMs = opts.retryMaxMs ?? 2_000;
    this.retryDelay = this.retryMinMs;
  }

  /** The live connection, connecting first when there is none. Throws UNAVAILABLE. */
  async connection(): Promise<EngineConnection> {
    if (this.closed) throw new GenosError('UNAVAILABLE', 'the Docker backend is shut down');
    if (this.conn) return this.conn;
    // One connect at a time: concurrent callers share it instead of probing N times.
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  async docker(): Promise<Docker> {
    return (await this.connection()).docker;
  }

  get endpoint(): string | null {
    return this.conn?.endpoint ?? null;
  }

  /**
   * Runs one engine call, mapping its failure to a GenosError that names `what`. A connection
   * failure also marks the engine down, which starts the reconnect loop.
   */
  async run<T>(what: string, fn: (docker: Docker) => Promise<T>): Promise<T> {
    const c = await this.connection();
    try {
      return await fn(c.docker);
    } catch (e) {
      if (isConnectionError(e)) this.markDown(`${c.endpoint}: ${String((e as Error).message)}`);
      throw toGenosError(e, what, c.endpoint);
    }
  }

  /** Listens for the engine going down and coming back. Returns the unsubscribe function. */
  onState(listener: (s: EngineState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by users of long-lived streams (events) when theirs broke: the engine went away. */
  markDown(reason: string): void {
    if (this.closed) return;
    this.conn = null;
    this.lastError = reason;
    // The first failure of an outage says "down"; later ones are the same outage.
    if (this.reported !== false) {
      this.reported = false;
      this.emit({ up: false, error: reason });
    }
    this.scheduleRetry();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.listeners.clear();
    this.conn = null;
  }

  private emit(s: EngineState): void {
    for (const l of [...this.listeners]) {
      try {
        l(s);
      } catch {
        // A listener's bug must not stop the others from hearing about the engine.
      }
    }
  }

  private scheduleRetry(): void {
    // Retry only while someone waits for the engine (the event watcher); otherwise the next call
    // connects on demand, and an idle app does not poll a stopped engine forever.
    if (this.closed || this.retryTimer || this.listeners.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connection().then(
        () => {
          this.retryDelay = this.retryMinMs;
        },
        () => {
          this.retryDelay = Math.min(this.retryDelay * 2, this.retryMaxMs);
          this.scheduleRetry();
        },
      );
    }, this.retryDelay);
    this.retryTimer.unref();
  }

  private async connect(): Promise<EngineConnection> {
    const probe = await this.probe(this.env, this.timeoutMs);
    const dockerHost = this.env.DOCKER_HOST?.trim();
    const { engine } = probe;
    // DOCKER_HOST is authoritative, as for the docker CLI: silently using another engine would
    // create the user's containers somewhere they did not ask for.
    if (
      engine.endpoint === null ||
      engine.kind === null ||
      (dockerHost && engine.endpoint !== dockerHost)
    ) {
      const err = noEngineError(probe, this.env);
      this.lastError = err.message;
      throw err;
    }
    const candidate = engineCandidates(this.env).find((c) => c.endpoint === engine.endpoint);
    if (!candidate) throw new GenosError('INTERNAL', `engine endpoint ${engine.endpoint} vanished`);
    const { default: DockerCtor } = await import('dockerode');
    // Timeout 0: no idle timeout on the long-lived streams (events, logs, exec, builds).
    const docker = new DockerCtor(await dockerOptions(candidate, this.env, 0));
    this.conn = {
      docker,
      endpoint: engine.endpoint,
      kind: engine.kind,
      version: engine.version,
      apiVersion: engine.apiVersion,
    };
    this.lastError = null;
    this.reported = true;
    this.emit({ up: true, endpoint: engine.endpoint, kind: engine.kind, version: engine.version });
    return this.conn;
  }
}
