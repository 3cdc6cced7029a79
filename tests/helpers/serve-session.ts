import type WebSocket from 'ws';
import { openWs, request, startServe, type Reply, type ServeProcess } from './serve-process.js';
import { killAllUnder } from './vm-test-env.js';

/**
 * A running `genos serve` on a data dir and one API connection to it, for suites that share
 * them: made when the suite is collected, `start` in beforeAll, `close` in afterAll (which also
 * kills any qemu the suite left running under the data dir).
 */
export class ServeSession {
  serve!: ServeProcess;
  ws!: WebSocket;
  private id = 0;

  /** Without a data dir, serve makes a fresh one of its own. */
  constructor(readonly dataDir?: string) {}

  async start(): Promise<void> {
    this.serve = await startServe({ dataDir: this.dataDir });
    this.ws = await openWs(this.serve.port, { token: this.serve.token });
  }

  /** The app goes away and comes back on the same data dir (running VMs keep running). */
  async restart(): Promise<void> {
    this.ws.close();
    await this.serve.stop();
    await this.start();
  }

  /** The reply as it is, for tests that check refusals. */
  reply(name: string, args: unknown): Promise<Reply> {
    const id = ++this.id;
    return request(this.ws, JSON.stringify({ id, call: name, args }), id);
  }

  /** The result; an error reply throws, naming the call. */
  async call<T>(name: string, args: unknown): Promise<T> {
    const r = await this.reply(name, args);
    if (r.error) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
    return r.result as T;
  }

  async close(): Promise<void> {
    this.ws?.close();
    await this.serve?.stop();
    if (this.dataDir) await killAllUnder(this.dataDir);
  }
}
