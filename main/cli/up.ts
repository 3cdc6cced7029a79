import fs from 'node:fs';
import path from 'node:path';
import type { EnvironmentSpec, LaunchPlan } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';
import { loadRecipe, makeRecipe, saveRecipe, formatSummary } from '../composer/index.js';
import type { ApiSession } from './api-session.js';

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

/** `genos up "<prompt>" | <recipe> [--dry-run] [--save FILE]` */
export async function runUp(
  session: ApiSession,
  args: { words: string[]; dryRun: boolean; save?: string },
  io: { out: NodeJS.WritableStream },
): Promise<number> {
  const { specs, prompt } = await specsFor(session, args.words, io);
  if (args.save) {
    await saveRecipe(path.resolve(args.save), makeRecipe(specs, prompt)).catch((err: Error) => {
      throw new GenosError('BAD_ARGS', err.message);
    });
    io.out.write(`Saved the recipe to ${args.save}.\n`);
  }
  if (args.dryRun) {
    for (const spec of specs as EnvironmentSpec[]) {
      io.out.write(
        `\n${spec.name} would start as:\n${describePlan(await session.call('planEnvironment', { spec }))}`,
      );
    }
    return 0;
  }
  let failed = 0;
  if (specs.length > 1) {
    // A stack: dependency order, independent members in parallel.
    const { items } = await session.call('upStack', { environments: specs, start: true });
    for (const { env, outcome, reason } of items) {
      if (outcome !== 'running') failed++;
      io.out.write(
        `${env.name}: ${outcome === 'running' ? 'running' : `${outcome}${reason ? `: ${reason}` : ''}`}\n`,
      );
    }
    return failed ? 1 : 0;
  }
  for (const spec of specs) {
    const { items } = await session.call('createEnvironment', { spec });
    for (const env of items) {
      try {
        const running = await session.call('startEnvironment', { id: env.id });
        io.out.write(`${running.name}: ${running.state}\n`);
      } catch (err) {
        failed++;
        io.out.write(`${env.name}: failed to start: ${(err as Error).message}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}
