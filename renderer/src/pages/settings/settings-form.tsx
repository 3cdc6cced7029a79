import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type { Settings } from '../../../../preload/contract';
import { draftToPatch, fieldText } from './settings-draft';
import type { DraftErrors, DraftField, SettingsDraft } from './settings-draft';
import { SettingsField } from './settings-field';
import type { ControlProps } from './settings-field';

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

  const field = (
    name: DraftField,
    label: string,
    control: (props: ControlProps) => ReactNode,
    help?: string,
  ) => (
    <SettingsField
      label={label}
      value={draft[name] ?? fieldText(settings, name)}
      onChange={(text) => {
        setDraft({ ...draft, [name]: text });
        setSaved(false);
      }}
      error={errors[name]}
      help={help}
    >
      {control}
    </SettingsField>
  );

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
      {field('defaultNetworkMode', 'Default network mode', (props) => (
        <select {...props}>
          {NETWORK_MODES.map((mode) => (
            <option key={mode.value} value={mode.value}>
              {mode.label}
            </option>
          ))}
        </select>
      ))}
      {field('admissionMemoryShare', 'Memory share for running environments (%)', (props) => (
        <input {...props} type="number" min={10} max={100} step={5} />
      ))}
      {field('cpuOvercommit', 'CPU overcommit (virtual CPUs per host CPU)', (props) => (
        <input {...props} type="number" min={1} max={16} step={0.5} />
      ))}
      {field('llmEndpoint', 'LLM endpoint', (props) => (
        <input {...props} type="url" placeholder="Empty: compose offline" />
      ))}
      {field(
        'downloadMirrors',
        'Download mirrors',
        (props) => (
          <textarea
            {...props}
            rows={3}
            spellCheck={false}
            placeholder="https://cloud-images.ubuntu.com/ https://mirror.example.org/ubuntu-cloud/"
          />
        ),
        'One rule per line: a URL prefix of OS images, then the mirrors to try for it.',
      )}
      {field('downloadProxy', 'Download proxy', (props) => (
        <input {...props} type="url" placeholder="Empty: connect directly" />
      ))}
      {field('sshPublicKey', 'SSH public key for new VMs', (props) => (
        <textarea {...props} rows={2} spellCheck={false} placeholder="ssh-ed25519 AAAA… you@host" />
      ))}
      {field('pullImages', 'Pull missing container images', (props) => (
        <select {...props}>
          <option value="offline">No — stay offline (import or load images yourself)</option>
          <option value="pull">Yes — pull them from their registry</option>
        </select>
      ))}
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
