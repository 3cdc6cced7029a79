import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ApiErrorShape, EnvironmentSummary } from '../../../../../preload/contract';
import { toApiError } from '../../../bridge/api-client';
import { ErrorNotice } from '../../../components/error-notice';
import { Fact, FactList } from '../../../components/fact-list';
import { useEnvironmentsStore } from '../../../state/environments-store';
import '../../../styles/env-settings.css';
import { PortsField } from './ports-field';
import { ResourceFields } from './resource-fields';
import { saveChange } from './save-change';
import { specFacts } from './spec-facts';
import { EDITABLE_STATES, draftFromSpec, draftToChange, recreatesContainer } from './spec-draft';
import type { DraftErrors, SpecDraft } from './spec-draft';

/** Shown by the editable form; the facts list below keeps the rest. */
const EDITABLE_FACTS = new Set([
  'CPUs',
  'Memory',
  'Disk',
  'Network',
  'Forwarded ports',
  'Restart policy',
]);

const NETWORK_MODES: { value: SpecDraft['mode']; label: string }[] = [
  { value: 'nat', label: 'NAT — reaches out; only forwarded ports reach in' },
  { value: 'isolated', label: 'Isolated — sees only other GenOS environments' },
  { value: 'none', label: 'None — no network at all' },
];

const RESTART_POLICIES: { value: SpecDraft['restartPolicy']; label: string }[] = [
  { value: 'never', label: 'Never' },
  { value: 'on-failure', label: 'When it fails' },
  { value: 'always', label: 'Always' },
];

/**
 * The environment's resources, network, ports and restart policy, editable while it is stopped
 * (they apply at its next start), and the rest of its spec, read-only.
 */
export function SettingsPanel({ env }: { env: EnvironmentSummary }) {
  const [draft, setDraft] = useState<SpecDraft | null>(null);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<ApiErrorShape | null>(null);
  const [notes, setNotes] = useState<string[] | null>(null);
  const received = useEnvironmentsStore((store) => store.received);

  const editable = EDITABLE_STATES.includes(env.state) && !saving;
  const shown = draft ?? draftFromSpec(env);
  const checked = draft ? draftToChange(env, draft) : null;
  const change = checked && 'change' in checked ? checked.change : null;
  const dirty =
    change !== null && (Object.keys(change.patch).length > 0 || change.growDiskGiB !== null);

  const edit = (next: Partial<SpecDraft>) => {
    setDraft({ ...shown, ...next });
    setNotes(null);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    const result = draftToChange(env, draft);
    if ('errors' in result) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setFailure(null);
    setSaving(true);
    try {
      const saved = await saveChange(env.id, result.change);
      if (saved.env) received(saved.env);
      setDraft(null);
      setNotes(saved.notes);
    } catch (err) {
      setFailure(toApiError(err));
    } finally {
      setSaving(false);
    }
  }

  const why = EDITABLE_STATES.includes(env.state)
    ? 'Changes apply at its next start.'
    : `${env.name} is ${env.state}: stop it to change these. Changes apply at its next start.`;

  return (
    <div className="settings-view">
      <form
        className="form env-settings"
        aria-label={`Settings of ${env.name}`}
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        <p className="hint" id={`${env.id}-settings-why`}>
          {why}
        </p>
        <fieldset
          className="env-settings__fields"
          disabled={!editable}
          aria-describedby={`${env.id}-settings-why`}
        >
          <ResourceFields env={env} draft={shown} errors={errors} edit={edit} />
          <div className="field">
            <label htmlFor={`${env.id}-network`}>Network</label>
            <select
              id={`${env.id}-network`}
              value={shown.mode}
              onChange={(event) => edit({ mode: event.target.value as SpecDraft['mode'] })}
            >
              {NETWORK_MODES.map((mode) => (
                <option key={mode.value} value={mode.value}>
                  {mode.label}
                </option>
              ))}
            </select>
          </div>
          <PortsField
            ports={shown.ports}
            error={errors.ports}
            onChange={(ports) => edit({ ports })}
          />
          <div className="field">
            <label htmlFor={`${env.id}-restart`}>Restart policy</label>
            <select
              id={`${env.id}-restart`}
              value={shown.restartPolicy}
              onChange={(event) =>
                edit({ restartPolicy: event.target.value as SpecDraft['restartPolicy'] })
              }
            >
              {RESTART_POLICIES.map((policy) => (
                <option key={policy.value} value={policy.value}>
                  {policy.label}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
        {change && recreatesContainer(env, change.patch) ? (
          <div role="note" className="notice notice--warning">
            <p className="notice__title">Saving re-creates the container</p>
            <p>
              Docker cannot change these on an existing container, so it is removed now and made
              again from the image at the next start: files changed inside it are lost. To keep
              them, take a commit snapshot in the Snapshots tab first.
            </p>
          </div>
        ) : null}
        <div className="form__actions">
          <button type="submit" disabled={!editable || !dirty}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button
            type="button"
            className="button--quiet"
            disabled={!editable || draft === null}
            onClick={() => {
              setDraft(null);
              setErrors({});
              setFailure(null);
            }}
          >
            Discard changes
          </button>
          {notes ? (
            <span role="status" className="form__saved">
              Saved
            </span>
          ) : null}
        </div>
        {notes && notes.length > 0 ? (
          <ul className="env-settings__notes" aria-label="What the change means">
            {notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        ) : null}
        {failure ? <ErrorNotice title={`Could not change ${env.name}`} error={failure} /> : null}
      </form>
      <h3 className="env-settings__heading">Set when it was made</h3>
      <FactList>
        {specFacts(env)
          .filter((fact) => !EDITABLE_FACTS.has(fact.label))
          .map((fact) => (
            <Fact key={fact.label} label={fact.label}>
              {fact.value}
            </Fact>
          ))}
      </FactList>
    </div>
  );
}
