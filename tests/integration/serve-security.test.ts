import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';

function get(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, headers }, (res) => {
          let body = '';
          res.on('data', (d) => (body += String(d)));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        })
        .on('error', reject);
    },
  );
}

describe('genos serve guards its door', () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServe();
  });
  afterAll(async () => {
    await serve.stop();
  });

  it('serves the UI with a strict CSP', async () => {
    const res = await get(serve.port, '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<div id="root">');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never serves files outside the built UI', async () => {
    for (const path of [
      '/../../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '/assets/%00x.js',
    ]) {
      const res = await get(serve.port, path);
      expect(res.body, path).not.toContain('"name": "genos"');
    }
  });

  it('refuses a Host name it does not answer to (DNS rebinding)', async () => {
    expect((await get(serve.port, '/', { Host: `evil.example:${serve.port}` })).status).toBe(421);
    await expect(
      openWs(serve.port, {
        token: serve.token,
        host: `evil.example:${serve.port}`,
        origin: `http://evil.example:${serve.port}`,
      }),
    ).rejects.toThrow(/refused: 403/);
  });

  it('refuses a WebSocket without the token, with a wrong token, or from a foreign Origin', async () => {
    await expect(openWs(serve.port)).rejects.toThrow(/refused: 401/);
    await expect(openWs(serve.port, { token: 'x'.repeat(serve.token.length) })).rejects.toThrow(
      /refused: 401/,
    );
    await expect(
      openWs(serve.port, { token: serve.token, origin: 'http://evil.example' }),
    ).rejects.toThrow(/refused: 403/);
    await expect(
      openWs(serve.port, { token: serve.token, origin: `http://127.0.0.1:${serve.port + 1}` }),
    ).rejects.toThrow(/refused: 403/);
  });

  it('accepts the token from the page origin or from a non-browser client', async () => {
    const cases = [
      { origin: `http://127.0.0.1:${serve.port}` },
      { origin: `http://localhost:${serve.port}`, host: `localhost:${serve.port}` },
      {},
    ];
    for (const headers of cases) {
      const ws = await openWs(serve.port, { token: serve.token, ...headers });
      const reply = await request(ws, JSON.stringify({ id: 1, call: 'appInfo', args: {} }), 1);
      expect(reply.result).toMatchObject({ name: 'genos', mode: 'serve', dataDir: serve.dataDir });
      ws.close();
    }
  });

  it('pushes events to every connected client', async () => {
    const a = await openWs(serve.port, { token: serve.token });
    const b = await openWs(serve.port, { token: serve.token });
    const pushed = new Promise<unknown>((resolve) =>
      b.on('message', (d) => {
        const msg = JSON.parse(String(d));
        if (msg.event === 'settingsChanged') resolve(msg.payload);
      }),
    );
    const reply = await request(
      a,
      JSON.stringify({ id: 1, call: 'updateSettings', args: { patch: { theme: 'dark' } } }),
      1,
    );
    expect(reply.result).toMatchObject({ theme: 'dark' });
    expect(await pushed).toMatchObject({ theme: 'dark' });
    a.close();
    b.close();
  });
});
