import WebSocket from 'ws';
import {
  WIRE_PROTOCOL,
  type CallName,
  type CallResult,
  type CallArgs,
  type Envelope,
  type EventName,
} from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';
import { OWNER_API_PATH } from '../transport/owner-socket.js';

/** A contract client over the data dir owner's unix socket (what `genos ls` uses while the app runs). */
export class OwnerClient {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Envelope<unknown>) => void>();
  private readonly listeners = new Set<(event: EventName, payload: unknown) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as {
        id?: number | null;
        event?: EventName;
        payload?: unknown;
      } & Envelope<unknown>;
      if (reply.event) {
        for (const listener of this.listeners) listener(reply.event, reply.payload);
        return;
      }
      if (typeof reply.id !== 'number') return;
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    ws.on('close', () => {
      for (const resolve of this.pending.values()) {
        resolve({ error: { code: 'UNAVAILABLE', message: 'The GenOS owner process went away.' } });
      }
      this.pending.clear();
    });
  }

  static connect(socketPath: string, timeoutMs = 3000): Promise<OwnerClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws+unix://${socketPath}:${OWNER_API_PATH}`, [WIRE_PROTOCOL], {
        handshakeTimeout: timeoutMs,
      });
      ws.once('open', () => resolve(new OwnerClient(ws)));
      ws.once('error', reject);
    });
  }

  async call<K extends CallName>(call: K, args: CallArgs<K>): Promise<CallResult<K>> {
    const id = this.nextId++;
    const reply = await new Promise<Envelope<unknown>>((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ id, call, args }));
    });
    if (reply.error) throw new GenosError(reply.error.code, reply.error.message);
    return reply.result as CallResult<K>;
  }

  onAny(listener: (event: EventName, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.ws.close();
  }
}
