import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EnvironmentSummary, EventName, ProvisionStatus } from '../../../preload/contract.js';
import type { ApiSession } from '../../../main/cli/api-session.js';
import { ReadyWaiter } from '../../../main/cli/wait-ready.js';

/** A session whose pushes the test sends, and whose getEnvironment answers the last push. */
function fakeSession() {
  const listeners = new Set<(event: EventName, payload: unknown) => void>();
  const envs = new Map<string, EnvironmentSummary>();
  const session = {
    onAny(l: (event: EventName, payload: unknown) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async call(name: string, args: { id?: string }) {
      if (name === 'getEnvironment') return envs.get(args.id!);
      if (name === 'consoleLog') return { text: 'line 1\nFirst boot: no marker\n' };
      if (name === 'listAuditEvents') return { items: [] };
      throw new Error(`unexpected call ${name}`);
    },
  } as unknown as ApiSession;
  return {
    session,
    push(env: EnvironmentSummary) {
      envs.set(env.id, env);
      for (const l of listeners) l('environmentChanged', env);
    },
  };
}

const provision = (stage: ProvisionStatus['stage'], failed = false): ProvisionStatus => ({
  stage,
  failed,
  message: failed ? `${stage} failed: no marker. See the console log.` : `at ${stage}`,
  at: new Date().toISOString(),
  done: null,
  total: null,
});

const vm = (over: Partial<EnvironmentSummary>): EnvironmentSummary => ({
  id: 'vm1',
  name: 'deb',
  backend: 'qemu',
  state: 'running',
  stateReason: null,
  spec: { healthCheck: null },
  createdAt: '',
  updatedAt: '',
  ...over,
});

function lines() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += String(d)));
  return { out, text: () => text };
}

describe('ReadyWaiter', () => {
  it('waits for a running VM to reach the provisioning stage ready, printing each stage', async () => {
    const { session, push } = fakeSession();
    const l = lines();
    const waiter = new ReadyWaiter(session, { lines: l.out, tty: false });
    waiter.track(vm({ provision: provision('first-boot') }));
    const done = waiter.wait(Date.now() + 10_000);
    push(vm({ provision: provision('installing-packages') }));
    push(vm({ provision: provision('ready') }));
    const [r] = await done;
    waiter.close();
    expect(r).toMatchObject({ outcome: 'ready', stage: 'ready' });
    expect(l.text()).toBe(
      'deb: first-boot (at first-boot)\ndeb: installing-packages (at installing-packages)\ndeb: ready\n',
    );
  });

  it('prints a download once as a line, or as a bar in place on a terminal', () => {
    for (const tty of [false, true]) {
      const { session, push } = fakeSession();
      const l = lines();
      const waiter = new ReadyWaiter(session, { lines: l.out, tty });
      const downloading = (done: number) =>
        vm({
          state: 'provisioning',
          provision: { ...provision('downloading'), message: `${done} MiB`, done, total: 4 },
        });
      waiter.track(downloading(1));
      push(downloading(2));
      push(vm({ state: 'provisioning', provision: provision('preparing-disk') }));
      waiter.close();
      expect(l.text()).toBe(
        tty
          ? '\rdeb: downloading  25% (0.0 of 0.0 MiB)\rdeb: downloading  50% (0.0 of 0.0 MiB)\ndeb: preparing-disk (at preparing-disk)\n'
          : 'deb: downloading (1 MiB)\ndeb: preparing-disk (at preparing-disk)\n',
      );
    }
  });

  it('reports the stage that failed, and a timeout with the stage it was still in', async () => {
    const { session, push } = fakeSession();
    const waiter = new ReadyWaiter(session, { lines: lines().out, tty: false });
    waiter.track(vm({ provision: provision('first-boot') }));
    const done = waiter.wait(Date.now() + 10_000);
    push(vm({ provision: provision('first-boot', true) }));
    const [r] = await done;
    expect(r).toMatchObject({
      outcome: 'failed',
      stage: 'first-boot',
      message: 'first-boot failed: no marker. See the console log.',
    });
    expect(await waiter.consoleTail(r!.env)).toBe(
      'Last console lines of deb (all of it: genos logs deb):\n  | line 1\n  | First boot: no marker\n',
    );
    waiter.close();

    const slow = fakeSession();
    const w2 = new ReadyWaiter(slow.session, { lines: lines().out, tty: false });
    slow.push(vm({ id: 'vm2', provision: provision('installing-packages') }));
    w2.track(vm({ id: 'vm2', provision: provision('installing-packages') }));
    const [t] = await w2.wait(Date.now() + 50);
    w2.close();
    expect(t).toMatchObject({ outcome: 'timeout', stage: 'installing-packages' });
  });

  it('counts a VM that stopped before it was ready as failed at the stage it had reached', async () => {
    const { session, push } = fakeSession();
    const waiter = new ReadyWaiter(session, { lines: lines().out, tty: false });
    waiter.track(vm({ provision: provision('first-boot') }));
    const done = waiter.wait(Date.now() + 10_000);
    push(
      vm({
        state: 'failed',
        stateReason: 'qemu exited with signal 9',
        provision: provision('first-boot'),
      }),
    );
    const [r] = await done;
    waiter.close();
    expect(r).toMatchObject({
      outcome: 'failed',
      stage: 'first-boot',
      message: 'it is failed: qemu exited with signal 9',
    });
  });
});
