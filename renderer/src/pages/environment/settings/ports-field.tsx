import { useId } from 'react';
import type { PortDraft } from './spec-draft';

/** The forwarded ports: host port on 127.0.0.1 -> guest port, one row each. */
export function PortsField({
  ports,
  error,
  onChange,
}: {
  ports: PortDraft[];
  error: string | undefined;
  onChange: (ports: PortDraft[]) => void;
}) {
  const base = useId();
  const set = (i: number, next: Partial<PortDraft>) =>
    onChange(ports.map((p, j) => (j === i ? { ...p, ...next } : p)));
  return (
    <fieldset
      className="field env-settings__ports"
      aria-describedby={error ? `${base}-error` : undefined}
    >
      <legend>Forwarded ports</legend>
      {ports.length === 0 ? <p className="hint">None: nothing on the host reaches in.</p> : null}
      {ports.map((port, i) => (
        <div key={i} className="env-settings__port" role="group" aria-label={`Port ${i + 1}`}>
          <input
            type="number"
            min={1}
            max={65535}
            aria-label={`Host port ${i + 1}`}
            value={port.host}
            onChange={(event) => set(i, { host: event.target.value })}
          />
          <span aria-hidden="true">→</span>
          <input
            type="number"
            min={1}
            max={65535}
            aria-label={`Guest port ${i + 1}`}
            value={port.guest}
            onChange={(event) => set(i, { guest: event.target.value })}
          />
          <select
            aria-label={`Protocol of port ${i + 1}`}
            value={port.protocol}
            onChange={(event) => set(i, { protocol: event.target.value as PortDraft['protocol'] })}
          >
            <option value="tcp">TCP</option>
            <option value="udp">UDP</option>
          </select>
          <button
            type="button"
            className="button--small button--quiet"
            onClick={() => onChange(ports.filter((_, j) => j !== i))}
          >
            Remove port {i + 1}
          </button>
        </div>
      ))}
      <div>
        <button
          type="button"
          className="button--small"
          onClick={() => onChange([...ports, { host: '', guest: '', protocol: 'tcp' }])}
        >
          Add a port
        </button>
      </div>
      {error ? (
        <p id={`${base}-error`} className="field__error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
