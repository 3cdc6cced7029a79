import type { EnvironmentSummary } from '../../../../../preload/contract';
import type { DraftErrors, DraftField, SpecDraft } from './spec-draft';

/** What the disk field can do for this environment, in a sentence. */
function diskHint(env: EnvironmentSummary, current: string): { fixed: boolean; text: string } {
  if (env.backend === 'docker')
    return {
      fixed: true,
      text: 'Containers get no disk size limit here (overlay2 needs xfs quotas for one).',
    };
  if (env.state === 'draft') return { fixed: false, text: 'The disk is made with this size.' };
  return {
    fixed: false,
    text: `Grow only (now ${current} GiB): the image grows; grow the partition inside the guest to use it.`,
  };
}

/** CPUs, memory and disk of the settings form. */
export function ResourceFields({
  env,
  draft,
  errors,
  edit,
}: {
  env: EnvironmentSummary;
  draft: SpecDraft;
  errors: DraftErrors;
  edit: (next: Partial<SpecDraft>) => void;
}) {
  const resources = env.spec.resources as { diskGiB?: unknown } | undefined;
  const disk = diskHint(env, String(resources?.diskGiB ?? '?'));
  const field = (
    name: Exclude<DraftField, 'ports'>,
    label: string,
    props: { min: number; max: number; step?: number; disabled?: boolean; hint?: string },
  ) => {
    const id = `${env.id}-${name}`;
    const described = [errors[name] ? `${id}-error` : null, props.hint ? `${id}-hint` : null]
      .filter(Boolean)
      .join(' ');
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={props.min}
          max={props.max}
          step={props.step ?? 1}
          disabled={props.disabled}
          value={draft[name]}
          onChange={(event) => edit({ [name]: event.target.value })}
          aria-invalid={Boolean(errors[name])}
          aria-describedby={described || undefined}
        />
        {props.hint ? (
          <p id={`${id}-hint`} className="hint">
            {props.hint}
          </p>
        ) : null}
        {errors[name] ? (
          <p id={`${id}-error`} className="field__error">
            {errors[name]}
          </p>
        ) : null}
      </div>
    );
  };
  return (
    <div className="env-settings__resources">
      {field('cpus', 'CPUs', { min: 1, max: 256 })}
      {field('memoryMiB', 'Memory (MiB)', { min: 16, max: 4 * 1024 * 1024, step: 64 })}
      {field('diskGiB', 'Disk (GiB)', {
        min: 1,
        max: 64 * 1024,
        disabled: disk.fixed,
        hint: disk.text,
      })}
    </div>
  );
}
