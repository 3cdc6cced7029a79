import { randomUUID } from 'node:crypto';
import { EnvironmentSpec, type EnvironmentSummary } from '../../preload/contract.js';
import type { Store } from '../store/store.js';
import type { Audit } from '../core/audit.js';
import type { Orchestrator } from './orchestrator.js';
import { stackLevels } from './stack-graph.js';

export type StackResult = {
  stackId: string;
  items: Array<{
    env: EnvironmentSummary;
    outcome: 'running' | 'failed' | 'skipped' | 'created';
    reason: string | null;
  }>;
};

/**
 * Several environments started in dependency order: each level in parallel, the next level only
 * when everything it requires is running. A member whose requirement failed is not started, and
 * says why. Members share a stack id (so, e.g., isolated containers of one stack share a network).
 */
export async function upStack(
  deps: { store: Store; audit: Audit; orchestrator: Orchestrator },
  input: unknown[],
  opts: { start: boolean; actor: string },
): Promise<StackResult> {
  const specs = input.map((s) => EnvironmentSpec.parse(s));
  const levels = stackLevels(specs);
  const stackId = randomUUID().slice(0, 8);
  const created = new Map<string, EnvironmentSummary>();
  for (const spec of specs) {
    const [env] = deps.orchestrator.create({ ...spec, count: 1 }, opts.actor);
    // The backend reads the stack id from the handles when it creates the instance.
    created.set(
      spec.name,
      deps.store.setEnvironmentState(env!.id, 'draft', `part of stack ${stackId}`, {
        stack: stackId,
      }),
    );
  }
  deps.audit.record({
    actor: opts.actor,
    action: 'stack.create',
    target: stackId,
    outcome: 'ok',
    detail: { members: specs.map((s) => s.name), order: levels.map((l) => l.map((s) => s.name)) },
  });
  const outcome = new Map<string, StackResult['items'][number]>();
  for (const spec of specs)
    outcome.set(spec.name, { env: created.get(spec.name)!, outcome: 'created', reason: null });
  if (!opts.start) return { stackId, items: [...outcome.values()] };

  for (const level of levels) {
    await Promise.all(
      level.map(async (spec) => {
        const env = created.get(spec.name)!;
        const failedDep = spec.requires.find((r) => outcome.get(r)?.outcome !== 'running');
        if (failedDep) {
          const reason = `not started: it requires ${failedDep}, which is not running`;
          outcome.set(spec.name, { env, outcome: 'skipped', reason });
          deps.audit.record({
            actor: opts.actor,
            action: 'env.start',
            target: env.id,
            outcome: 'error',
            detail: { message: reason },
          });
          return;
        }
        try {
          outcome.set(spec.name, {
            env: await deps.orchestrator.start(env.id, opts.actor),
            outcome: 'running',
            reason: null,
          });
        } catch (err) {
          const now = deps.store.getEnvironment(env.id) ?? env;
          outcome.set(spec.name, { env: now, outcome: 'failed', reason: (err as Error).message });
        }
      }),
    );
  }
  return { stackId, items: [...outcome.values()] };
}
