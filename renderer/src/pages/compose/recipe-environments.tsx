import { useId } from 'react';
import type { EnvironmentSpec } from '../../../../preload/contract';
import { useComposeStore } from '../../state/compose-store';

export function specSummary(spec: EnvironmentSpec): string {
  const kind = spec.backend === 'qemu' ? 'VM' : 'container';
  const os = `${spec.os.id}${spec.os.version ? ` ${spec.os.version}` : ''}`;
  const { cpus, memoryMiB, diskGiB } = spec.resources;
  const count = spec.count > 1 ? `, ×${spec.count}` : '';
  return `${os} ${kind} (${spec.backend}), ${cpus} CPU, ${memoryMiB} MiB, ${diskGiB} GiB, ${spec.display}${count}`;
}

/**
 * Several environments — a recipe's, or a stack prompt's — listed with what each requires and
 * launched together, not edited here.
 */
export function RecipeEnvironments({ specs }: { specs: readonly EnvironmentSpec[] }) {
  const recipe = useComposeStore((store) => store.recipe);
  const result = useComposeStore((store) => store.result);
  const closeRecipe = useComposeStore((store) => store.closeRecipe);
  const titleId = useId();
  const fromPrompt = !recipe && result && 'spec' in result ? (result.environments ?? null) : null;
  const ordered = specs.some((spec) => spec.requires.length > 0);
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="spec-head">
        <h2 id={titleId}>
          {fromPrompt ? 'Environments in the stack' : 'Environments in the recipe'}
        </h2>
        {recipe ? (
          <button type="button" className="button--quiet button--small" onClick={closeRecipe}>
            Close recipe
          </button>
        ) : null}
      </div>
      <p className="hint">
        {fromPrompt
          ? `The prompt describes ${specs.length} environments.`
          : `${recipe?.fileName} holds ${specs.length} environments.`}{' '}
        {ordered
          ? 'Launch creates them all and starts each after what it requires is running'
          : 'Launch creates and starts them all'}
        ; to change one, {fromPrompt ? 'change its words in the prompt' : 'edit the file'} or
        compose it on its own.
      </p>
      <ol
        className="recipe-envs"
        aria-label={fromPrompt ? 'Stack environments' : 'Recipe environments'}
      >
        {specs.map((spec, index) => (
          <li key={`${spec.name}-${index}`} aria-label={spec.name}>
            <strong>{spec.name}</strong> <span className="muted">{specSummary(spec)}</span>
            {spec.requires.length > 0 ? (
              <span className="recipe-envs__requires"> — requires {spec.requires.join(', ')}</span>
            ) : null}
            {fromPrompt?.[index] ? (
              <span className="muted recipe-envs__words"> from “{fromPrompt[index]!.text}”</span>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
