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

/** A recipe with several environments: listed, launched together, not edited here. */
export function RecipeEnvironments({ specs }: { specs: readonly EnvironmentSpec[] }) {
  const recipe = useComposeStore((store) => store.recipe);
  const closeRecipe = useComposeStore((store) => store.closeRecipe);
  const titleId = useId();
  return (
    <section className="card" aria-labelledby={titleId}>
      <div className="spec-head">
        <h2 id={titleId}>Environments in the recipe</h2>
        <button type="button" className="button--quiet button--small" onClick={closeRecipe}>
          Close recipe
        </button>
      </div>
      <p className="hint">
        {recipe?.fileName} holds {specs.length} environments. Launch creates and starts them all, in
        this order; to change one, edit the file or compose it on its own.
      </p>
      <ol className="recipe-envs" aria-label="Recipe environments">
        {specs.map((spec, index) => (
          <li key={`${spec.name}-${index}`} aria-label={spec.name}>
            <strong>{spec.name}</strong> <span className="muted">{specSummary(spec)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
