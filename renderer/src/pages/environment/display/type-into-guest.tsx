import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { MAX_TYPED_CHARS } from './guest-keys';

/**
 * Text for the guest, sent as key presses: the one way that reaches a text console or a login
 * prompt (a VNC clipboard transfer needs an agent in the guest). Enter in the field types it;
 * a trailing newline in the text presses Enter in the guest.
 */
export function TypeIntoGuest({
  disabled,
  onType,
}: {
  disabled: boolean;
  onType: (text: string) => boolean;
}) {
  const [text, setText] = useState('');
  const [pressEnter, setPressEnter] = useState(true);
  const [failed, setFailed] = useState(false);
  const id = useId();

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!text) return;
    const typed = onType(pressEnter ? `${text}\n` : text);
    setFailed(!typed);
    if (typed) setText('');
  }

  return (
    <form className="type-into-guest" onSubmit={submit} aria-label="Type into the guest">
      <label htmlFor={id}>Text to type</label>
      <input
        id={id}
        type="text"
        value={text}
        maxLength={MAX_TYPED_CHARS}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => setText(event.target.value)}
      />
      <label className="type-into-guest__enter">
        <input
          type="checkbox"
          checked={pressEnter}
          onChange={(event) => setPressEnter(event.target.checked)}
        />{' '}
        then Enter
      </label>
      <button type="submit" className="button--small" disabled={disabled || !text}>
        Type into guest
      </button>
      <p className="hint type-into-guest__hint">
        Paste here, then type it: the text is sent as key presses (US layout), which is what a text
        console understands.
      </p>
      {failed ? (
        <p role="alert" className="field__error">
          Not connected to the display: nothing was typed.
        </p>
      ) : null}
    </form>
  );
}
