import { useId } from 'react';
import type { ReactNode } from 'react';

/** What a field hands its control: the form's value and edit, and the ids that describe it. */
export type ControlProps = {
  id: string;
  value: string;
  onChange: (event: { target: { value: string } }) => void;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
};

/**
 * One setting in the form: a label, its control, an optional help line and the error the draft
 * check found, tied together with ids so a screen reader reads the error (else the help) with
 * the control.
 */
export function SettingsField({
  label,
  value,
  onChange,
  error,
  help,
  children,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  error: string | undefined;
  help?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        value,
        onChange: (event) => onChange(event.target.value),
        'aria-invalid': Boolean(error),
        'aria-describedby': error ? errorId : help ? helpId : undefined,
      })}
      {help ? (
        <p id={helpId} className="muted">
          {help}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field__error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
