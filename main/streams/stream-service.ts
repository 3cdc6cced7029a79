import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Orchestrator, BackendResolver } from '../orchestrator/orchestrator.js';
import type { Store } from '../store/store.js';
import { GenosError } from '../core/errors.js';
import { VncBridge } from './vnc-bridge.js';
import { ConsoleBridge } from './console-bridge.js';

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
  readonly console: ConsoleBridge;
  private base = '';
  private originRule: (origin: string | undefined) => boolean = () => false;

  constructor(
    private readonly deps: { store: Store; orchestrator: Orchestrator; backend: BackendResolver },
  ) {
    const allowOrigin = (origin: string | undefined) => this.originRule(origin);
    this.vnc = new VncBridge({ allowOrigin });
    this.console = new ConsoleBridge({ allowOrigin });
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
    return [this.vnc, this.console];
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

  async openDisplay(id: string) {
    const { ref, backend } = await this.running(id);
    const endpoint = await backend.openDisplay(ref);
    if (endpoint.protocol === 'none') return { protocol: 'none' as const, reason: endpoint.reason };
    if (endpoint.protocol !== 'vnc') {
      throw new GenosError('UNSUPPORTED', 'Only VNC displays can be opened in this version.');
    }
    const ticket = this.vnc.issueDisplayToken(id, endpoint.socketPath);
    return {
      protocol: 'vnc' as const,
      url: this.base + this.vnc.path,
      token: ticket.token,
      expiresAt: ticket.expiresAt,
    };
  }

  async openTerminal(id: string): Promise<StreamTicket> {
    const { ref, backend } = await this.running(id);
    const ticket = this.console.issueConsoleToken(
      id,
      async () => (await backend.openConsole(ref)).stream,
    );
    return { url: this.base + this.console.path, token: ticket.token, expiresAt: ticket.expiresAt };
  }

  async consoleLog(id: string, maxBytes: number): Promise<string> {
    const env = this.deps.store.getEnvironment(id);
    if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
    const ref = this.deps.orchestrator.refFor(env);
    const backend = await this.deps.backend(ref.spec.backend);
    return (await backend.consoleLog(ref, maxBytes)).toString('utf8');
  }

  closeEnv(id: string): void {
    this.vnc.closeEnv(id);
  }

  close(): void {
    this.vnc.close();
    this.console.close();
  }
}
