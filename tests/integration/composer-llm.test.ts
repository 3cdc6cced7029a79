/**
 * The optional LLM provider against a real HTTP server on 127.0.0.1 that plays an
 * OpenAI-compatible endpoint: good answers, junk, schema violations, errors and silence.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compose } from '../../main/composer/compose.js';
import { composeForApi } from '../../main/composer/compose-for-api.js';
import { composeWithLlm } from '../../main/composer/llm-provider.js';
import { ComposeResult } from '../../preload/compose.js';

type Reply = { status?: number; delayMs?: number; content?: string; raw?: string };
type Seen = { method: string; url: string; body: unknown };

let server: http.Server;
let base: string;
let reply: Reply;
let seen: Seen[];

function specFor(prompt: string) {
  const r = compose(prompt);
  if ('error' in r) throw new Error(r.error);
  return r.spec;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body: body ? JSON.parse(body) : null });
      if (req.url === '/v1/models') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'tiny-model', object: 'model' }] }));
        return;
      }
      const send = () => {
        if (res.destroyed) return;
        res.statusCode = reply.status ?? 200;
        res.setHeader('content-type', 'application/json');
        res.end(
          reply.raw ??
            JSON.stringify({
              id: 'c1',
              object: 'chat.completion',
              choices: [
                {
                  index: 0,
                  message: { role: 'assistant', content: reply.content ?? '' },
                  finish_reason: 'stop',
                },
              ],
            }),
        );
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  reply = {};
});

function ok(r: ComposeResult) {
  expect(ComposeResult.safeParse(r).success).toBe(true);
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe('LLM provider', () => {
  it('fills fields the rules left at a default, keeping what the prompt said', async () => {
    const proposal = {
      ...specFor('fedora vm'),
      apps: ['gimp', 'inkscape'],
      display: 'gui',
      resources: { cpus: 8, memoryMiB: 8192, diskGiB: 60 },
    };
    reply = { content: '```json\n' + JSON.stringify(proposal) + '\n```' };
    const r = ok(
      await composeWithLlm('ubuntu vm for photo editing, 2 cpus', {}, { endpoint: base }),
    );
    expect(r.spec.os.id).toBe('ubuntu'); // the prompt's word beats the model's fedora
    expect(r.spec.resources.cpus).toBe(2); // so do the prompt's numbers
    expect(r.spec.apps).toEqual(['gimp', 'inkscape']);
    expect(r.spec.display).toBe('gui');
    expect(r.spec.resources.memoryMiB).toBe(8192);
    expect(r.explanation['apps']).toEqual({
      words: 'default',
      note: 'proposed by the LLM provider',
    });
    expect(r.warnings).toEqual([]);
    // It asked which model to use, then asked that model, with the schema and catalog ids.
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /v1/models',
      'POST /v1/chat/completions',
    ]);
    const body = seen[1]!.body as {
      model: string;
      messages: Array<{ role: string; content: string }>;
    };
    expect(body.model).toBe('tiny-model');
    expect(body.messages[0]!.content).toContain('memoryMiB');
    expect(body.messages[0]!.content).toContain('vscode');
    expect(body.messages[1]!.content).toContain('photo editing');
  });

  it('rescues a prompt the rules could not read, within the catalog', async () => {
    reply = {
      content: JSON.stringify({ ...specFor('fedora vm'), apps: ['gimp'], display: 'gui' }),
    };
    expect(compose('something to edit photos')).toHaveProperty('error');
    const r = ok(
      await composeWithLlm('something to edit photos', {}, { endpoint: base, model: 'm' }),
    );
    expect(r.spec).toMatchObject({
      os: { id: 'fedora' },
      apps: ['gimp'],
      display: 'gui',
      backend: 'qemu',
    });
    expect(seen.map((s) => s.url)).toEqual(['/v1/chat/completions']); // a named model needs no lookup
  });

  it('falls back to the rules when the answer is not JSON', async () => {
    reply = { content: 'I think you want Ubuntu.' };
    const r = ok(await composeWithLlm('ubuntu vm', {}, { endpoint: base, model: 'm' }));
    expect(r.spec).toEqual(specFor('ubuntu vm'));
    expect(r.warnings.join(' ')).toMatch(
      /LLM provider was not used: the model's answer is not JSON/,
    );
  });

  it('falls back when the JSON breaks the schema', async () => {
    reply = {
      content: JSON.stringify({
        ...specFor('ubuntu vm'),
        name: 'Not A Valid Name!',
        resources: { cpus: 0 },
      }),
    };
    const r = ok(await composeWithLlm('ubuntu vm', {}, { endpoint: base, model: 'm' }));
    expect(r.spec).toEqual(specFor('ubuntu vm'));
    expect(r.warnings.join(' ')).toMatch(/does not match the schema/);
  });

  it('falls back on an HTTP error and on an answer that is not a chat completion', async () => {
    reply = { status: 500, raw: '{"error":"boom"}' };
    let r = ok(await composeWithLlm('ubuntu vm', {}, { endpoint: base, model: 'm' }));
    expect(r.warnings.join(' ')).toMatch(/HTTP 500/);
    reply = { raw: '<html>hello</html>' };
    r = ok(await composeWithLlm('ubuntu vm', {}, { endpoint: base, model: 'm' }));
    expect(r.warnings.join(' ')).toMatch(/did not answer with JSON/);
  });

  it('gives up after the timeout and answers with the rules', async () => {
    reply = { delayMs: 5000, content: JSON.stringify(specFor('fedora vm')) };
    const t0 = Date.now();
    const r = ok(
      await composeWithLlm('ubuntu vm', {}, { endpoint: base, model: 'm', timeoutMs: 300 }),
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.spec.os.id).toBe('ubuntu');
    expect(r.warnings.join(' ')).toMatch(/no answer within 300 ms/);
  });

  it('stops when the caller cancels', async () => {
    reply = { delayMs: 5000, content: '{}' };
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = ok(
      await composeWithLlm('ubuntu vm', {}, { endpoint: base, model: 'm', signal: ac.signal }),
    );
    expect(r.warnings.join(' ')).toMatch(/cancelled/);
  });

  it('falls back when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = ok(
      await composeWithLlm(
        'ubuntu vm',
        {},
        { endpoint: `http://127.0.0.1:${port}/v1`, model: 'm' },
      ),
    );
    expect(r.warnings.join(' ')).toMatch(/could not be reached/);
  });

  it('does not ask the model when the rules give a reasoned error', async () => {
    const r = await composeWithLlm('macos ventura vm', {}, { endpoint: base, model: 'm' });
    expect(r).toEqual({ error: expect.stringContaining('macOS') });
    expect(seen).toEqual([]);
  });

  it('is used by composeForApi only when settings name an endpoint', async () => {
    reply = { content: JSON.stringify({ ...specFor('ubuntu vm'), apps: ['git'] }) };
    const offline = ok(
      await composeForApi({ prompt: 'ubuntu vm' }, { llmEndpoint: null, networkMode: 'isolated' }),
    );
    expect(offline.spec.network.mode).toBe('isolated');
    expect(seen).toEqual([]);
    const online = ok(
      await composeForApi(
        { prompt: 'ubuntu vm' },
        { llmEndpoint: base, llmModel: 'm', host: { cpuCount: 1, memoryMiB: 1024 } },
      ),
    );
    expect(online.spec.apps).toEqual(['git']);
    expect(online.spec.resources.cpus).toBe(1); // clamped to the host like any other value
  });
});

describe('LLM provider, when the rules understood nothing', () => {
  it("keeps the rules' error and adds why the model did not help", async () => {
    reply = { content: 'no idea' };
    const r = await composeWithLlm('something to edit photos', {}, { endpoint: base, model: 'm' });
    expect(r).toEqual({
      error: expect.stringMatching(
        /^Nothing in the prompt .* The LLM provider was not used: the model's answer is not JSON/,
      ),
    });
  });
});
