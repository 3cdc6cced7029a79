import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../main/api/event-bus.js';
import { Audit } from '../../../main/core/audit.js';
import { GenosError } from '../../../main/core/errors.js';
import { Orchestrator } from '../../../main/orchestrator/orchestrator.js';
import { stackLevels } from '../../../main/orchestrator/stack-graph.js';
import { upStack } from '../../../main/orchestrator/stacks.js';
import { openStore, type Store } from '../../../main/store/store.js';
import { FakeBackend } from '../../helpers/fake-backend.js';
import { tempDataDir } from '../../helpers/store-temp.js';
import { fakeSpec } from '../../helpers/orchestrator-harness.js';

const m = (name: string, ...requires: string[]) => ({ name, requires });

describe('stack order', () => {
  it('puts independent members in one level and dependants after what they require', () => {
    const levels = stackLevels([m('app', 'db', 'cache'), m('db'), m('cache'), m('proxy', 'app')]);
    expect(levels.map((l) => l.map((x) => x.name).sort())).toEqual([
      ['cache', 'db'],
      ['app'],
      ['proxy'],
    ]);
  });

  it('refuses a cycle, naming it, and an unknown requirement', () => {
    expect(() => stackLevels([m('a', 'b'), m('b', 'c'), m('c', 'a')])).toThrow(
      /cycle: a -> b -> c -> a/,
    );
    expect(() => stackLevels([m('a', 'a')])).toThrow(/cycle: a -> a/);
    expect(() => stackLevels([m('a', 'ghost')])).toThrow(
      /a requires "ghost", which is not part of the stack/,
    );
    expect(() => stackLevels([m('a'), m('a')])).toThrow(/called "a"/);
  });
});

const spec = (name: string, requires: string[] = []) => fakeSpec({ name, requires });

describe('upStack', () => {
  let tmp: ReturnType<typeof tempDataDir>;
  let store: Store;
  let backend: FakeBackend;
  let deps: { store: Store; audit: Audit; orchestrator: Orchestrator };

  beforeEach(() => {
    tmp = tempDataDir('genos-stack-');
    store = openStore(tmp.dir);
    const bus = new EventBus();
    const audit = new Audit(store, bus);
    backend = new FakeBackend();
    const orchestrator = new Orchestrator({
      store,
      audit,
      bus,
      backend: async () => backend,
      hostInfo: async () =>
        ({ cpu: { count: 8, model: 'x' }, memory: { totalMiB: 16384, freeMiB: 16000 } }) as never,
      settings: () => store.getSettings(),
    });
    deps = { store, audit, orchestrator };
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('starts members in dependency order and shares a stack id in their handles', async () => {
    const result = await upStack(deps, [spec('app', ['db']), spec('db')], {
      start: true,
      actor: 'test',
    });
    expect(result.items.map((i) => [i.env.name, i.outcome])).toEqual([
      ['app', 'running'],
      ['db', 'running'],
    ]);
    const starts = backend.calls.filter((c) => c.startsWith('start:'));
    const id = (name: string) => result.items.find((i) => i.env.name === name)!.env.id;
    expect(starts).toEqual([`start:${id('db')}`, `start:${id('app')}`]);
    expect(store.getEnvironmentHandles(id('app'))).toMatchObject({ stack: result.stackId });
  });

  it('does not start a member whose requirement failed, and says why', async () => {
    backend.failNext.start = new GenosError('UNAVAILABLE', 'no qemu');
    const result = await upStack(deps, [spec('db'), spec('app', ['db'])], {
      start: true,
      actor: 'test',
    });
    expect(result.items.find((i) => i.env.name === 'db')).toMatchObject({
      outcome: 'failed',
      reason: 'no qemu',
    });
    expect(result.items.find((i) => i.env.name === 'app')).toMatchObject({
      outcome: 'skipped',
      reason: 'not started: it requires db, which is not running',
    });
  });
});
