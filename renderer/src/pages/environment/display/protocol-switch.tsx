import { useId } from 'react';
import type { DisplayProtocol } from './display-controller';

const PROTOCOLS: { value: DisplayProtocol; label: string; hint: string }[] = [
  { value: 'vnc', label: 'VNC', hint: 'noVNC: works with every guest' },
  {
    value: 'spice',
    label: 'SPICE',
    hint: 'spice-html5: QXL drawing commands; resizes a guest that runs spice-vdagent',
  },
];

/** VNC or SPICE for the display; switching closes one stream and opens the other. */
export function ProtocolSwitch({
  value,
  onChange,
}: {
  value: DisplayProtocol;
  onChange: (protocol: DisplayProtocol) => void;
}) {
  const name = useId();
  return (
    <div className="field field--radios" role="radiogroup" aria-label="Display protocol">
      {PROTOCOLS.map((protocol) => (
        <label key={protocol.value} className="radio" title={protocol.hint}>
          <input
            type="radio"
            name={name}
            value={protocol.value}
            checked={value === protocol.value}
            onChange={() => onChange(protocol.value)}
          />
          {protocol.label}
        </label>
      ))}
    </div>
  );
}
