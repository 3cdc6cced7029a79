import { useId, useState } from 'react';
import type { KeyboardEvent } from 'react';

/** A small find box: Enter finds the next match, Shift+Enter the previous, Escape clears. */
export function TerminalSearch({
  find,
  clear,
}: {
  /** Selects the next (or previous) match; false when there is none. */
  find: (query: string, backwards: boolean) => boolean;
  clear: () => void;
}) {
  const [query, setQuery] = useState('');
  const [missed, setMissed] = useState(false);
  const id = useId();

  function go(backwards: boolean) {
    setMissed(query !== '' && !find(query, backwards));
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      go(event.shiftKey);
    } else if (event.key === 'Escape' && query !== '') {
      event.preventDefault();
      setQuery('');
      setMissed(false);
      clear();
    }
  }

  return (
    <div className="terminal-search" role="search">
      <label htmlFor={id} className="visually-hidden">
        Find in the terminal
      </label>
      <input
        id={id}
        type="search"
        placeholder="Find"
        value={query}
        aria-invalid={missed}
        onChange={(event) => {
          setQuery(event.target.value);
          setMissed(false);
        }}
        onKeyDown={onKeyDown}
      />
      <button
        type="button"
        className="button--quiet button--small"
        aria-label="Previous match"
        disabled={!query}
        onClick={() => go(true)}
      >
        ↑
      </button>
      <button
        type="button"
        className="button--quiet button--small"
        aria-label="Next match"
        disabled={!query}
        onClick={() => go(false)}
      >
        ↓
      </button>
      {missed ? <span className="terminal-search__missed">No match</span> : null}
    </div>
  );
}
