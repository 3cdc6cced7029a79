import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { EnvironmentSummary } from '../../../../../preload/contract';
import type { SnapshotKind } from '../../../state/snapshots-store';
import { snapshotKinds, snapshotNameProblem } from './snapshot-kinds';

/** Name + kind (only the kinds this backend takes) + "Take snapshot". */
export function CreateSnapshotForm({
  env,
  busy,
  onCreate,
}: {
  env: EnvironmentSummary;
  busy: boolean;
  onCreate: (name: string, kind: SnapshotKind) => Promise<boolean>;
}) {
  const kinds = snapshotKinds(env.backend);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<SnapshotKind>(kinds[0]!.kind);
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { name: useId(), kind: useId() };
  const chosen = kinds.find((choice) => choice.kind === kind) ?? kinds[0]!;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    const why = snapshotNameProblem(trimmed);
    setProblem(why);
    if (why) return;
    if (await onCreate(trimmed, kind)) setName('');
  }

  return (
    <form
      className="snapshot-form"
      aria-label="Take a snapshot"
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <div className="field">
        <label htmlFor={ids.name}>Snapshot name</label>
        <input
          id={ids.name}
          type="text"
          value={name}
          maxLength={64}
          autoComplete="off"
          aria-invalid={problem !== null}
          aria-describedby={problem ? `${ids.name}-problem` : undefined}
          onChange={(event) => {
            setName(event.target.value);
            setProblem(null);
          }}
        />
        {problem ? (
          <p id={`${ids.name}-problem`} className="field__error">
            {problem}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={ids.kind}>Kind</label>
        <select
          id={ids.kind}
          value={kind}
          aria-describedby={`${ids.kind}-hint`}
          onChange={(event) => setKind(event.target.value as SnapshotKind)}
        >
          {kinds.map((choice) => (
            <option key={choice.kind} value={choice.kind}>
              {choice.label}
            </option>
          ))}
        </select>
        <p id={`${ids.kind}-hint`} className="hint">
          {chosen.hint}
        </p>
      </div>
      <div className="snapshot-form__actions">
        <button type="submit" disabled={busy}>
          Take snapshot
        </button>
      </div>
    </form>
  );
}
