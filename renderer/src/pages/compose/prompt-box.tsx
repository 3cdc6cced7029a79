import { useEffect, useId, useLayoutEffect, useRef } from 'react';
import type { KeyboardEvent } from 'react';
import { MAX_PROMPT_CHARS } from '../../../../preload/contract';
import { useComposeStore } from '../../state/compose-store';

/** Composing costs a few milliseconds: ask as the user types, once they pause this long. */
const TYPING_PAUSE_MS = 150;

/**
 * The sentence. Enter composes (and keeps it in the history), Shift+Enter is a new line; Up at
 * the start or Down at the end walks earlier prompts, and keeps walking while one is shown.
 */
export function PromptBox() {
  const prompt = useComposeStore((store) => store.prompt);
  const walking = useComposeStore((store) => store.walk.index !== null);
  const typed = useComposeStore((store) => store.typed);
  const compose = useComposeStore((store) => store.compose);
  const recall = useComposeStore((store) => store.recall);
  const remember = useComposeStore((store) => store.remember);
  const box = useRef<HTMLTextAreaElement>(null);
  const timer = useRef<number | undefined>(undefined);
  // Where the caret goes after a recalled prompt fills the box: Up -> start, Down -> end.
  const caret = useRef<'start' | 'end' | null>(null);
  const id = useId();

  useEffect(() => () => window.clearTimeout(timer.current), []);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !caret.current) return;
    const at = caret.current === 'start' ? 0 : el.value.length;
    el.setSelectionRange(at, at);
    caret.current = null;
  }, [prompt]);

  const composeSoon = () => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void compose(), TYPING_PAUSE_MS);
  };
  const composeNow = () => {
    window.clearTimeout(timer.current);
    remember(prompt);
    void compose({ explicit: true });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      composeNow();
      return;
    }
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const el = event.currentTarget;
    if (el.selectionStart !== el.selectionEnd) return;
    const up = event.key === 'ArrowUp';
    const atEdge = up ? el.selectionStart === 0 : el.selectionEnd === el.value.length;
    if (!atEdge && !walking) return;
    if (!recall(up ? -1 : 1)) return;
    event.preventDefault();
    caret.current = up ? 'start' : 'end';
    composeSoon();
  };

  return (
    <section className="card compose-prompt" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Describe it</h2>
      <form
        className="compose-prompt__form"
        onSubmit={(event) => {
          event.preventDefault();
          composeNow();
        }}
      >
        <label htmlFor={id} className="visually-hidden">
          Prompt
        </label>
        <textarea
          ref={box}
          id={id}
          className="compose-prompt__box"
          rows={3}
          maxLength={MAX_PROMPT_CHARS}
          value={prompt}
          placeholder="e.g. Debian 12 desktop with Firefox, 4 GB, no internet"
          aria-describedby={`${id}-hint`}
          spellCheck={false}
          onChange={(event) => {
            typed(event.target.value);
            composeSoon();
          }}
          onKeyDown={onKeyDown}
        />
        <div className="compose-prompt__foot">
          <p id={`${id}-hint`} className="hint">
            <kbd>Enter</kbd> composes, <kbd>Shift</kbd>+<kbd>Enter</kbd> starts a new line,{' '}
            <kbd>↑</kbd> / <kbd>↓</kbd> at the start or end bring back earlier prompts.
          </p>
          <button type="submit">Compose</button>
        </div>
      </form>
    </section>
  );
}
