import fs from 'node:fs';
import path from 'node:path';
import type { EnvironmentSpec, EnvironmentSummary, LaunchPlan } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';
import { loadRecipe, makeRecipe, saveRecipe, formatSummary } from '../composer/index.js';
import type { ApiSession } from './api-session.js';
import { EXIT_NOT_READY, EXIT_TIMEOUT, ReadyWaiter, type Readiness } from './wait-ready.js';

const RECIPE_EXT = /\.(json|ya?ml|genos)$/i;

function describePlan(plan: LaunchPlan): string {
  const notes = plan.notes.map((n) => `  note: ${n}\n`).join('');
  if (plan.backend === 'qemu') {
    // One argument per line: the exact argv, nothing joined into a shell string.
    return `  ${plan.binary}\n${plan.argv.map((a) => `    ${a}`).join('\n')}\n${notes}`;
  }
  return `  docker create (image ${plan.image}):\n${JSON.stringify(plan.createOptions, null, 2).replace(/^/gm, '    ')}\n${notes}`;
}

/** The specs a `genos up` argument stands for: a recipe file, or a sentence to compose. */
async function specsFor(session: ApiSession, words: string[], io: { out: NodeJS.WritableStream }) {
  const only = words.length === 1 ? words[0]! : null;
  if (only && RECIPE_EXT.test(only) && fs.existsSync(only)) {
    const recipe = await loadRecipe(path.resolve(only)).catch((err: Error) => {
      throw new GenosError('BAD_ARGS', err.message);
    });
    return { specs: recipe.environments, prompt: recipe.prompt };
  }
  const prompt = words.join(' ').trim();
  if (!prompt)
    throw new GenosError(
      'BAD_ARGS',
      'genos up needs a sentence ("debian 12 container with git") or a recipe file.',
    );
  const composed = await session.call('compose', { prompt });
  if ('error' in composed) throw new GenosError('BAD_ARGS', composed.error);
  io.out.write(formatSummary(composed) + '\n');
  // A stack prompt gives several environments, started in dependency order below.
  return { specs: composed.environments?.map((e) => e.spec) ?? [composed.spec], prompt };
}

type Started = { env: EnvironmentSummary; ok: boolean; reason: string | null };

/** Starts what the specs describe; a refusal or failure is recorded, not thrown. */
async function startAll(
  session: ApiSession,
  specs: EnvironmentSpec[],
  onCreated: (env: EnvironmentSummary) => void,
): Promise<Started[]> {
  if (specs.length > 1) {
    // A stack: dependency order, independent members in parallel.
    const { items } = await session.call('upStack', { environments: specs, start: true });
    return items.map(({ env, outcome, reason }) => ({
      env,
      ok: outcome === 'running',
      reason: outcome === 'running' ? null : `${outcome}${reason ? `: ${reason}` : ''}`,
    }));
  }
  const started: Started[] = [];
  for (const spec of specs) {
    const { items } = await session.call('createEnvironment', { spec });
    for (const env of items) {
      onCreated(env);
      try {
        started.push({
          env: await session.call('startEnvironment', { id: env.id }),
          ok: true,
          reason: null,
        });
      } catch (err) {
        started.push({ env, ok: false, reason: `failed to start: ${(err as Error).message}` });
      }
    }
  }
  return started;
}

/** Rejects at the deadline (so a start that hangs still ends in a timeout). */
function deadlineOf(ms: number): { at: number; passed: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  passed.catch(() => undefined);
  return { at: Date.now() + ms, passed, clear: () => clearTimeout(timer) };
}

export type UpArgs = {
  words: string[];
  dryRun: boolean;
  save?: string;
  json?: boolean;
  /** Wait until every started environment is ready, at most timeoutSec. */
  wait?: { timeoutSec: number };
};

/** `genos up "<prompt>" | <recipe> [--dry-run] [--save FILE] [--wait [--timeout SEC]] [--json]` */
export async function runUp(
  session: ApiSession,
  args: UpArgs,
  io: { out: NodeJS.WritableStream & { isTTY?: boolean }; err: NodeJS.WritableStream },
): Promise<number> {
  // With --json, stdout holds the JSON alone: what people read goes to stderr.
  const say = args.json ? io.err : io.out;
  const { specs, prompt } = await specsFor(session, args.words, { out: say });
  if (args.save) {
    await saveRecipe(path.resolve(args.save), makeRecipe(specs, prompt)).catch((err: Error) => {
      throw new GenosError('BAD_ARGS', err.message);
    });
    say.write(`Saved the recipe to ${args.save}.\n`);
  }
  if (args.dryRun) {
    for (const spec of specs as EnvironmentSpec[]) {
      say.write(
        `\n${spec.name} would start as:\n${describePlan(await session.call('planEnvironment', { spec }))}`,
      );
    }
    return 0;
  }
  const deadline = args.wait ? deadlineOf(args.wait.timeoutSec * 1000) : null;
  // Listening before anything starts, so no stage change is missed.
  const waiter = args.wait
    ? new ReadyWaiter(session, { lines: say, tty: !args.json && io.out.isTTY === true })
    : null;
  try {
    const starting = startAll(session, specs as EnvironmentSpec[], (env) => waiter?.track(env));
    const started = await (deadline ? Promise.race([starting, deadline.passed]) : starting).catch(
      (err: unknown) => {
        if (err instanceof Error && err.message === 'timeout' && deadline) return null;
        throw err;
      },
    );
    if (!started) {
      // The deadline passed while a start call was still under way.
      return report(await waiter!.wait(deadline!.at), args, io, waiter!);
    }
    if (!waiter) {
      for (const s of started) say.write(`${s.env.name}: ${s.ok ? s.env.state : s.reason}\n`);
      if (args.json) io.out.write(JSON.stringify(started, null, 2) + '\n');
      return started.every((s) => s.ok) ? 0 : 1;
    }
    // What did not start failed there, with the start's own error; the rest are followed.
    const refused: Readiness[] = [];
    for (const s of started) {
      if (s.ok) waiter.track(s.env);
      else {
        const stage = waiter.untrack(s.env.id) ?? 'starting';
        refused.push({ env: s.env, outcome: 'failed', stage, message: s.reason ?? '' });
      }
    }
    return report([...refused, ...(await waiter.wait(deadline!.at))], args, io, waiter);
  } finally {
    deadline?.clear();
    waiter?.close();
  }
}

/** The outcome of --wait: one line each (or the JSON), the console of what failed, the exit code. */
async function report(
  results: Readiness[],
  args: UpArgs,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
  waiter: ReadyWaiter,
): Promise<number> {
  for (const r of results.filter((x) => x.outcome === 'failed')) {
    io.err.write(`genos: ${r.env.name} failed at stage ${r.stage}: ${r.message}\n`);
    io.err.write(await waiter.consoleTail(r.env));
  }
  for (const r of results.filter((x) => x.outcome === 'timeout')) {
    io.err.write(
      `genos: ${r.env.name} was not ready within ${args.wait!.timeoutSec} s; still at stage ${r.stage}${r.message ? ` (${r.message})` : ''}. It keeps going: see genos ls, genos logs ${r.env.name}.\n`,
    );
  }
  // Each ready one already had its "name: ready" line.
  if (args.json) io.out.write(JSON.stringify(results, null, 2) + '\n');
  if (results.some((r) => r.outcome === 'failed')) return EXIT_NOT_READY;
  return results.some((r) => r.outcome === 'timeout') ? EXIT_TIMEOUT : 0;
}
