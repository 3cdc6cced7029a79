import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Orchestrator, BackendResolver } from '../orchestrator/orchestrator.js';
import type { Backend, DisplayProtocol, EnvRef } from '../backends/backend.js';
import type { Store } from '../store/store.js';
import { GenosError } from '../core/errors.js';
import { VncBridge } from './vnc-bridge.js';
import { SpiceBridge } from './spice-bridge.js';
import { ConsoleBridge } from './console-bridge.js';
import { LogBridge } from './log-bridge.js';
import { openSshPty } from './pty-ssh.js';

export type StreamTicket = { url: string; token: string; expiresAt: number };

/**
 * The display and terminal of an environment, handed to the renderer as one-time tickets: the
 * renderer asks `openDisplay`/`openTerminal`, gets a URL and a token spent on first use, and the
 * bridge pipes the WebSocket to the VM's VNC unix socket, serial console or the container's exec TTY.
 * The bridges are attached to the serve HTTP server, or to a loopback stream server in Electron;
 * `base` says where (empty for the page's own origin in serve mode).
 */
export class StreamService {
  readonly vnc: VncBridge;
  readonly spice: SpiceBridge;
  readonly console: ConsoleBridge;
  readonly logs: LogBridge;
  private base = '';
  private originRule: (origin: string | undefined) => boolean = () => false;

  constructor(
    private readonly deps: { store: Store; orchestrator: Orchestrator; backend: BackendResolver },
  ) {
    const allowOrigin = (origin: string | undefined) => this.originRule(origin);
    this.vnc = new VncBridge({ allowOrigin });
    this.spice = new SpiceBridge({ allowOrigin });
    this.console = new ConsoleBridge({ allowOrigin });
    this.logs = new LogBridge({ allowOrigin });
  }

  /**
   * Where the bridges listen ("" = the page's own server in serve mode, or e.g.
   * "ws://127.0.0.1:41234" for Electron's stream server) and which browser origins may connect.
   * Until a transport sets this, every browser connection is refused.
   */
  mount(base: string, originRule: (origin: string | undefined) => boolean): void {
    this.base = base;
    this.originRule = originRule;
  }

  get endpoints(): ReadonlyArray<{
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  }> {
    return [this.vnc, this.spice, this.console, this.logs];
  }

  private async running(id: string) {
    const env = this.deps.store.getEnvironment(id);
    if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
    if (env.state !== 'running' && env.state !== 'degraded' && env.state !== 'paused') {
      throw new GenosError(
        'CONFLICT',
        `${env.name} is ${env.state}: start it to see its display or terminal.`,
      );
    }
    const ref = this.deps.orchestrator.refFor(env);
    return { env, ref, backend: await this.deps.backend(ref.spec.backend) };
  }

  async openDisplay(id: string, protocol: DisplayProtocol = 'vnc') {
    const { ref, backend } = await this.running(id);
    const endpoint = await backend.openDisplay(ref, protocol);
    if (endpoint.protocol === 'none') return { protocol: 'none' as const, reason: endpoint.reason };
    if (endpoint.protocol !== protocol) {
      throw new GenosError(
        'UNSUPPORTED',
        `This environment has no ${protocol.toUpperCase()} display: use ${endpoint.protocol.toUpperCase()}.`,
      );
    }
    if (endpoint.protocol === 'spice') {
      const spice = this.spice.issueSpiceToken(id, endpoint.socketPath);
      return {
        protocol: 'spice' as const,
        url: this.base + this.spice.path,
        token: spice.token,
        expiresAt: spice.expiresAt,
      };
    }
    const ticket = this.vnc.issueDisplayToken(id, endpoint.socketPath);
    return {
      protocol: 'vnc' as const,
      url: this.base + this.vnc.path,
      token: ticket.token,
      expiresAt: ticket.expiresAt,
    };
  }

  async openTerminal(
    id: string,
    mode: 'shell' | 'attach' | 'ssh' = 'shell',
  ): Promise<StreamTicket> {
    const { ref, backend } = await this.running(id);
    if (mode === 'ssh') {
      // Checked now, so a VM without SSH fails the call with the reason, not the WebSocket.
      const target = await this.sshTargetOf(ref, backend);
      const ticket = this.console.issueConsoleToken(id, () => openSshPty(target));
      return {
        url: this.base + this.console.path,
        token: ticket.token,
        expiresAt: ticket.expiresAt,
      };
    }
    if (mode === 'attach' && !backend.attach) {
      throw new GenosError(
        'UNSUPPORTED',
        'Only containers have a main process to attach to; a VM terminal is its serial console.',
      );
    }
    const ticket = this.console.issueConsoleToken(id, async () =>
      mode === 'attach' && backend.attach ? backend.attach(ref) : backend.openConsole(ref),
    );
    return { url: this.base + this.console.path, token: ticket.token, expiresAt: ticket.expiresAt };
  }

  private async sshTargetOf(ref: EnvRef, backend: Backend) {
    if (!backend.sshTarget) {
      throw new GenosError(
        'UNSUPPORTED',
        'SSH terminals are for VMs; a container has a shell of its own (mode "shell").',
      );
    }
    return backend.sshTarget(ref);
  }

  /** Whether "Open SSH terminal" can work now, and if not why (for the UI to say). */
  async sshAccess(
    id: string,
  ): Promise<
    { available: true; port: number; user: string } | { available: false; reason: string }
  > {
    const env = this.deps.store.getEnvironment(id);
    if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
    const ref = this.deps.orchestrator.refFor(env);
    const backend = await this.deps.backend(ref.spec.backend);
    try {
      // Not this.running(): why SSH cannot work at all (no network) matters more than the state.
      const t = await this.sshTargetOf(ref, backend);
      return { available: true, port: t.port, user: t.user };
    } catch (e) {
      if (e instanceof GenosError && e.code !== 'INTERNAL') {
        return { available: false, reason: e.message };
      }
      throw e;
    }
  }

  async consoleLog(id: string, maxBytes: number, since?: Date): Promise<string> {
    const { ref, backend } = await this.logTarget(id, since);
    return (await backend.consoleLog(ref, maxBytes, since)).toString('utf8');
  }

  /** A one-time ticket for following the log (see LogBridge). */
  async openLogStream(id: string, opts: { since?: Date; tail?: number }): Promise<StreamTicket> {
    const { env, ref, backend } = await this.logTarget(id, opts.since);
    const follow = backend.followLog?.bind(backend);
    if (!follow) throw new GenosError('UNSUPPORTED', `The log of ${env.name} cannot be followed.`);
    const ticket = this.logs.issueLogToken(id, () => follow(ref, opts));
    return { url: this.base + this.logs.path, token: ticket.token, expiresAt: ticket.expiresAt };
  }

  private async logTarget(id: string, since: Date | undefined) {
    const env = this.deps.store.getEnvironment(id);
    if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
    // A serial console is a byte stream without timestamps, so only container logs have a "since".
    if (since && env.backend !== 'docker') {
      throw new GenosError(
        'BAD_ARGS',
        `since is for container logs; ${env.name} is a VM, whose serial log has no timestamps. Leave since out to read its newest output.`,
      );
    }
    const ref = this.deps.orchestrator.refFor(env);
    return { env, ref, backend: await this.deps.backend(ref.spec.backend) };
  }

  closeEnv(id: string): void {
    this.vnc.closeEnv(id);
    this.spice.closeEnv(id);
  }

  close(): void {
    this.vnc.close();
    this.spice.close();
    this.console.close();
    this.logs.close();
  }
}
