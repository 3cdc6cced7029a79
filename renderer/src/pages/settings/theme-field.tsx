import type { Settings } from '../../../../preload/contract';

const THEMES: { value: Settings['theme']; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Applies on click: the whole app (and every other open window) switches at once. */
export function ThemeField({
  value,
  onChange,
}: {
  value: Settings['theme'];
  onChange: (theme: Settings['theme']) => void;
}) {
  return (
    <fieldset className="field field--radios">
      <legend>Theme</legend>
      {THEMES.map((theme) => (
        <label key={theme.value} className="radio">
          <input
            type="radio"
            name="theme"
            value={theme.value}
            checked={value === theme.value}
            onChange={() => onChange(theme.value)}
          />
          {theme.label}
        </label>
      ))}
    </fieldset>
  );
}
