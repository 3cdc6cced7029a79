import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_NAMES } from '../../preload/contract.js';
import { malformedCases } from '../helpers/malformed.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';

/** Malformed input over the real WebSocket transport of a real `genos serve` process. */
describe('genos serve refuses malformed calls and keeps serving', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe();
  });
  afterAll(async () => {
    expect(await serve.stop()).toBe(0);
  });

  it('answers BAD_ARGS to every malformed call of the contract', async () => {
    const ws = await openWs(serve.port, { token: serve.token });
    let id = 1;
    const cases = malformedCases();
    for (const { call, args } of cases) {
      const reply = await request(ws, JSON.stringify({ id, call, args }), id);
      expect(reply.error?.code, `${call} ${JSON.stringify(args)}`).toBe('BAD_ARGS');
      id++;
    }
    // Every call was exercised, and the server still answers a good call on the same socket.
    expect(new Set(cases.map((c) => c.call))).toEqual(new Set(CALL_NAMES));
    const pong = await request(ws, JSON.stringify({ id, call: 'ping', args: {} }), id);
    expect(pong.result).toMatchObject({ pong: true });
    ws.close();
  });

  it('answers BAD_ARGS to frames that are not requests at all', async () => {
    const ws = await openWs(serve.port, { token: serve.token });
    const frames: Array<[string | Buffer, number | null]> = [
      ['not json', null],
      [Buffer.from([0xde, 0xad, 0xbe, 0xef]), null],
      ['{"id": "seven", "call": "ping", "args": {}}', null],
      ['{"id": 3, "args": {}}', 3],
      ['{"id": 4, "call": "ping", "args": {}, "extra": 1}', 4],
      ['{"id": 5, "call": "deleteEverything", "args": {}}', 5],
      ['[]', null],
      ['null', null],
    ];
    for (const [frame, expectId] of frames) {
      const reply = await request(ws, frame, expectId);
      expect(reply.error?.code, String(frame)).toBe('BAD_ARGS');
    }
    const pong = await request(ws, JSON.stringify({ id: 99, call: 'ping', args: {} }), 99);
    expect(pong.result).toMatchObject({ pong: true });
    expect(serve.child.exitCode).toBeNull();
    ws.close();
  });
});
