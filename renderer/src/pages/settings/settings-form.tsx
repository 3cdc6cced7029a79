import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { Settings } from '../../../../preload/contract';
import { draftToPatch, fieldText } from './settings-draft';
import type { DraftErrors, DraftField, SettingsDraft } from './settings-draft';

type Props = {
  settings: Settings;
  saving: boolean;
  save: (patch: Partial<Settings>) => Promise<boolean>;
};

const NETWORK_MODES: { value: Settings['defaultNetworkMode']; label: string }[] = [
  { value: 'nat', label: 'NAT — guests reach out, nothing reaches in' },
  { value: 'isolated', label: 'Isolated — guests see only each other' },
  { value: 'none', label: 'None — no network at all' },
];

export function SettingsForm({ settings, saving, save }: Props) {
  const [draft, setDraft] = useState<SettingsDraft>({});
  const [errors, setErrors] = useState<DraftErrors>({});
  const [saved, setSaved] = useState(false);
  const ids = {
    network: useId(),
    memory: useId(),
    cpu: useId(),
    llm: useId(),
    mirrors: useId(),
    proxy: useId(),
    ssh: useId(),
    pull: useId(),
  };

  const value = (field: DraftField) => draft[field] ?? fieldText(settings, field);
  const edit = (field: DraftField) => (event: { target: { value: string } }) => {
    setDraft({ ...draft, [field]: event.target.value });
    setSaved(false);
  };
  const errorFor = (field: DraftField, id: string) =>
    errors[field] ? (
      <p id={`${id}-error`} className="field__error">
        {errors[field]}
      </p>
    ) : null;
  const described = (field: DraftField, id: string) => (errors[field] ? `${id}-error` : undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = draftToPatch(draft);
    if ('errors' in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    if (await save(checked.patch)) {
      setDraft({});
      setSaved(true);
    }
  }

  const dirty = Object.keys(draft).length > 0;
  return (
    <form
      className="form"
      aria-label="Defaults and limits"
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <div className="field">
        <label htmlFor={ids.network}>Default network mode</label>
        <select
          id={ids.network}
          value={value('defaultNetworkMode')}
          onChange={edit('defaultNetworkMode')}
        >
          {NETWORK_MODES.map((mode) => (
            <option key={mode.value} value={mode.value}>
              {mode.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.memory}>Memory share for running environments (%)</label>
        <input
          id={ids.memory}
          type="number"
          min={10}
          max={100}
          step={5}
          value={value('admissionMemoryShare')}
          onChange={edit('admissionMemoryShare')}
          aria-invalid={Boolean(errors.admissionMemoryShare)}
          aria-describedby={described('admissionMemoryShare', ids.memory)}
        />
        {errorFor('admissionMemoryShare', ids.memory)}
      </div>
      <div className="field">
        <label htmlFor={ids.cpu}>CPU overcommit (virtual CPUs per host CPU)</label>
        <input
          id={ids.cpu}
          type="number"
          min={1}
          max={16}
          step={0.5}
          value={value('cpuOvercommit')}
          onChange={edit('cpuOvercommit')}
          aria-invalid={Boolean(errors.cpuOvercommit)}
          aria-describedby={described('cpuOvercommit', ids.cpu)}
        />
        {errorFor('cpuOvercommit', ids.cpu)}
      </div>
      <div className="field">
        <label htmlFor={ids.llm}>LLM endpoint</label>
        <input
          id={ids.llm}
          type="url"
          placeholder="Empty: compose offline"
          value={value('llmEndpoint')}
          onChange={edit('llmEndpoint')}
          aria-invalid={Boolean(errors.llmEndpoint)}
          aria-describedby={described('llmEndpoint', ids.llm)}
        />
        {errorFor('llmEndpoint', ids.llm)}
      </div>
      <div className="field">
        <label htmlFor={ids.mirrors}>Download mirrors</label>
        <textarea
          id={ids.mirrors}
          rows={3}
          spellCheck={false}
          placeholder="https://cloud-images.ubuntu.com/ https://mirror.example.org/ubuntu-cloud/"
          value={value('downloadMirrors')}
          onChange={edit('downloadMirrors')}
          aria-invalid={Boolean(errors.downloadMirrors)}
          aria-describedby={described('downloadMirrors', ids.mirrors) ?? `${ids.mirrors}-help`}
        />
        <p id={`${ids.mirrors}-help`} className="muted">
          One rule per line: a URL prefix of OS images, then the mirrors to try for it.
        </p>
        {errorFor('downloadMirrors', ids.mirrors)}
      </div>
      <div className="field">
        <label htmlFor={ids.proxy}>Download proxy</label>
        <input
          id={ids.proxy}
          type="url"
          placeholder="Empty: connect directly"
          value={value('downloadProxy')}
          onChange={edit('downloadProxy')}
          aria-invalid={Boolean(errors.downloadProxy)}
          aria-describedby={described('downloadProxy', ids.proxy)}
        />
        {errorFor('downloadProxy', ids.proxy)}
      </div>
      <div className="field">
        <label htmlFor={ids.ssh}>SSH public key for new VMs</label>
        <textarea
          id={ids.ssh}
          rows={2}
          spellCheck={false}
          placeholder="ssh-ed25519 AAAA… you@host"
          value={value('sshPublicKey')}
          onChange={edit('sshPublicKey')}
          aria-invalid={Boolean(errors.sshPublicKey)}
          aria-describedby={described('sshPublicKey', ids.ssh)}
        />
        {errorFor('sshPublicKey', ids.ssh)}
      </div>
      <div className="field">
        <label htmlFor={ids.pull}>Pull missing container images</label>
        <select id={ids.pull} value={value('pullImages')} onChange={edit('pullImages')}>
          <option value="offline">No — stay offline (import or load images yourself)</option>
          <option value="pull">Yes — pull them from their registry</option>
        </select>
      </div>
      <div className="form__actions">
        <button type="submit" disabled={!dirty || saving}>
          Save
        </button>
        <button
          type="button"
          className="button--quiet"
          disabled={!dirty || saving}
          onClick={() => {
            setDraft({});
            setErrors({});
          }}
        >
          Discard changes
        </button>
        {saved ? (
          <span role="status" className="form__saved">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}
