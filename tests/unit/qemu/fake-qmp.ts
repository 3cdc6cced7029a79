import net from 'node:net';

/**
 * A scripted QMP server on a unix socket: sends the greeting, answers qmp_capabilities, and hands
 * every other command to `handler`, which returns the reply body ({return} or {error}) or null to
 * stay silent. `emit` pushes an event to the connected client.
 */
export type Handler = (
  cmd: { execute: string; arguments?: Record<string, unknown>; id?: unknown },
  raw: string,
) => Record<string, unknown> | null | Promise<Record<string, unknown> | null>;

export class FakeQmp {
  private server: net.Server;
  clients: net.Socket[] = [];
  received: string[] = [];
  greet = true;

  constructor(
    readonly path: string,
    public handler: Handler = () => ({ return: {} }),
  ) {
    this.server = net.createServer((s) => this.onClient(s));
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.path, () => r()));
  }

  emit(event: string, data?: Record<string, unknown>): void {
    const msg = { event, data, timestamp: { seconds: 1, microseconds: 0 } };
    for (const c of this.clients) c.write(`${JSON.stringify(msg)}\r\n`);
  }

  dropClients(): void {
    for (const c of this.clients) c.destroy();
    this.clients = [];
  }

  close(): Promise<void> {
    this.dropClients();
    return new Promise((r) => this.server.close(() => r()));
  }

  private onClient(s: net.Socket): void {
    this.clients.push(s);
    s.on('error', () => undefined);
    if (this.greet) {
      s.write(
        `${JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 }, package: '' }, capabilities: ['oob'] } })}\r\n`,
      );
    }
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        void this.onLine(s, line);
      }
    });
  }

  private async onLine(s: net.Socket, line: string): Promise<void> {
    this.received.push(line);
    const cmd = JSON.parse(line) as { execute: string; id?: unknown };
    const body =
      cmd.execute === 'qmp_capabilities' ? { return: {} } : await this.handler(cmd, line);
    if (body && !s.destroyed) s.write(`${JSON.stringify({ ...body, id: cmd.id })}\r\n`);
  }
}
