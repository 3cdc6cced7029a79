import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { EnvironmentSummary, HostInfo } from '../../preload/contract.js';
import { backendAvailable } from '../helpers/backends.js';
import { ensureTestImage, testDocker, testRunId, testSpec } from '../helpers/docker-test-image.js';
import { copyImage, privateDockerd, type PrivateDockerd } from '../helpers/private-dockerd.js';
import { openWs, request, startServe, type ServeProcess } from '../helpers/serve-process.js';

/**
 * "Stop dockerd" at the API level, with a dockerd of the test's own (the system daemon is never
 * touched): `genos serve` with DOCKER_HOST at it runs a container; the daemon stops; every call
 * that needs the engine says UNAVAILABLE and how to start it, and host info says the engine does
 * not answer; the daemon starts again; the environment's state is reconciled with what the engine
 * says, and engine events flow again.
 */
describe.runIf(backendAvailable('docker') && backendAvailable('dockerd'))(
  'the engine stops and comes back under a running serve',
  () => {
    const run = testRunId();
    let dockerd: PrivateDockerd;
    let serve: ServeProcess;
    let ws: WebSocket;
    let image = '';
    let envId = '';
    let id = 0;
    // Host reports pushed without asking: the UI's Host view follows the engine through these.
    const pushedHosts: HostInfo[] = [];
    const call = async (call: string, args: unknown) =>
      request(ws, JSON.stringify({ id: ++id, call, args }), id);
    const env = async () =>
      (await call('getEnvironment', { id: envId })).result as EnvironmentSummary;
    const until = async <T>(what: string, ms: number, fn: () => Promise<T | undefined>) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const container = async () => {
      const [c] = await dockerd.docker.listContainers({
        all: true,
        filters: { label: [`genos.env=${envId}`] },
      });
      return c;
    };

    beforeAll(async () => {
      image = await ensureTestImage(testDocker());
      dockerd = privateDockerd();
      await dockerd.start();
      await copyImage(image, dockerd.host);
      serve = await startServe({ env: { DOCKER_HOST: dockerd.host } });
      ws = await openWs(serve.port, { token: serve.token });
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { event?: string; payload?: HostInfo };
        if (msg.event === 'hostInfoChanged' && msg.payload) pushedHosts.push(msg.payload);
      });
    }, 180_000);
    afterAll(async () => {
      ws?.close();
      await serve?.stop();
      if (dockerd && !dockerd.running()) await dockerd.start().catch(() => undefined);
      await dockerd?.dispose();
    }, 120_000);

    it('runs a container on the private engine', async () => {
      const spec = testSpec(image, { name: `outage-${run}` });
      envId = (
        (await call('createEnvironment', { spec })).result as { items: EnvironmentSummary[] }
      ).items[0]!.id;
      expect((await call('startEnvironment', { id: envId })).result).toMatchObject({
        state: 'running',
      });
      expect((await container())?.State).toBe('running');
      const host = (await call('hostInfo', { refresh: true })).result as HostInfo;
      expect(host.engine.endpoint).toBe(dockerd.host);
    });

    it('engine stopped: calls say UNAVAILABLE and how to start it; host info says it does not answer', async () => {
      pushedHosts.length = 0;
      await dockerd.stop();
      // Pushed by the engine's own state change, before anyone asks for a refresh.
      const pushedDown = await until('a pushed host report without the engine', 15_000, async () =>
        pushedHosts.find((h) => h.engine.kind === null),
      );
      expect(pushedDown.missing.map((m) => m.install).join(' ')).toContain(dockerd.host);
      const draft = (
        (
          await call('createEnvironment', {
            spec: testSpec(image, { name: `outage-b-${run}` }),
          })
        ).result as { items: EnvironmentSummary[] }
      ).items[0]!;
      const calls: Array<[string, unknown]> = [
        ['startEnvironment', { id: draft.id }],
        ['consoleLog', { id: envId }],
        ['createSnapshot', { id: envId, name: 'snap', kind: 'commit' }],
        ['listContainerImages', {}],
      ];
      for (const [name, args] of calls) {
        const reply = await call(name, args);
        expect(reply.error, name).toMatchObject({ code: 'UNAVAILABLE' });
        // Names the engine it wants and what to do: start it (or point DOCKER_HOST elsewhere).
        expect(reply.error!.message, name).toContain(dockerd.host);
        expect(reply.error!.message, name).toMatch(/start (it|the engine)/i);
      }
      // Deleting needs the engine too (a container of it may exist): refused, nothing forgotten.
      const del = await call('deleteEnvironment', { id: draft.id });
      expect(del.error).toMatchObject({ code: 'UNAVAILABLE' });
      expect((await call('getEnvironment', { id: draft.id })).result).toMatchObject({
        id: draft.id,
      });
      // A dry run needs no engine: planning works offline.
      const plan = await call('planEnvironment', { spec: testSpec(image, { name: `c-${run}` }) });
      expect(plan.error).toBeUndefined();
      const host = (await call('hostInfo', { refresh: true })).result as HostInfo;
      expect(host.engine).toMatchObject({ kind: null, endpoint: null });
      expect(host.engine.tried).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            endpoint: dockerd.host,
            error: expect.stringMatching(/no socket|not running/),
          }),
        ]),
      );
    }, 60_000);

    it('engine back: the state is reconciled with what it says, and engine events flow again', async () => {
      pushedHosts.length = 0;
      await dockerd.start();
      const pushedUp = await until('a pushed host report with the engine back', 20_000, async () =>
        pushedHosts.find((h) => h.engine.endpoint === dockerd.host),
      );
      expect(pushedUp.missing.some((m) => /container engine/.test(m.what))).toBe(false);
      const c = await container();
      // dockerd stopped its containers on the way down; the environment must say so, with why.
      const reconciled = await until('the reconciled state', 20_000, async () => {
        const e = await env();
        const want = c?.State === 'running' ? ['running'] : ['failed', 'stopped'];
        return want.includes(e.state) ? e : undefined;
      });
      console.log(
        `engine back: docker says ${c?.State}, the environment is ${reconciled.state} (${reconciled.stateReason})`,
      );
      if (reconciled.state !== 'running') expect(reconciled.stateReason).toMatch(/exit|code|died/i);

      // Started again through the API, then killed behind its back: only the engine's event
      // stream (not the 5 s reconciliation) reports that within 2.5 s.
      if (reconciled.state !== 'running') {
        expect((await call('startEnvironment', { id: envId })).result).toMatchObject({
          state: 'running',
        });
      }
      await dockerd.docker.getContainer((await container())!.Id).kill();
      const t0 = Date.now();
      const failed = await until('the die event', 5000, async () => {
        const e = await env();
        return e.state === 'failed' ? e : undefined;
      });
      expect(Date.now() - t0).toBeLessThan(2500);
      expect(failed.stateReason).toMatch(/137/);
      const host = (await call('hostInfo', { refresh: true })).result as HostInfo;
      expect(host.engine.endpoint).toBe(dockerd.host);
      expect((await call('deleteEnvironment', { id: envId })).result).toEqual({ deleted: true });
      const drafts = (await call('listEnvironments', {})).result as { items: EnvironmentSummary[] };
      for (const d of drafts.items) {
        expect((await call('deleteEnvironment', { id: d.id })).result).toEqual({ deleted: true });
      }
    }, 90_000);
  },
);
