import { useId, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { EnvironmentSummary } from '../../../../preload/contract';
import { detailHash, hashFor } from '../../shell/routes';
import { useEnvironmentActionsStore } from '../../state/environment-actions-store';
import { DeleteEnvironmentDialog } from './delete-environment-dialog';
import { EnvironmentRow } from './environment-row';
import { listKeyCommand } from './list-keys';

/** Keys on a button or link keep their usual meaning (Enter and Space press it). */
function ownKeys(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement;
  const control = target.closest('button, a, input, select, textarea');
  return control !== null && (event.key === 'Enter' || event.key === ' ');
}

/**
 * Every environment, one row each. The table takes the keyboard when it has the focus: arrows
 * move the selection, Enter opens, s/x/r/p act and Delete asks to delete (see the help overlay).
 */
export function EnvironmentList({ items }: { items: EnvironmentSummary[] }) {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<EnvironmentSummary | null>(null);
  const run = useEnvironmentActionsStore((store) => store.run);
  const table = useRef<HTMLTableElement>(null);
  const hintId = useId();

  if (items.length === 0) {
    return (
      <p className="empty">
        No environments yet — <a href={hashFor('compose')}>compose one</a>
      </p>
    );
  }

  const index = items.findIndex((env) => env.id === selectedId);
  const selected = index >= 0 ? items[index] : undefined;

  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey || ownKeys(event)) return;
    const command = listKeyCommand(event.key, selected?.state ?? null);
    if (!command) return;
    event.preventDefault();
    switch (command.kind) {
      case 'move': {
        const next = index < 0 ? 0 : Math.min(items.length - 1, Math.max(0, index + command.delta));
        setSelectedId(items[next]?.id ?? null);
        return;
      }
      case 'first':
        setSelectedId(items[0]?.id ?? null);
        return;
      case 'last':
        setSelectedId(items.at(-1)?.id ?? null);
        return;
    }
    if (!selected) return;
    if (command.kind === 'open') window.location.hash = detailHash('environments', selected.id);
    else if (command.kind === 'confirm-delete') setDeleting(selected);
    else void run(selected.id, command.action);
  };

  return (
    <>
      <p id={hintId} className="hint">
        Select a row, then use the arrow keys, Enter to open, s start, x stop, p pause or resume,
        Delete to delete. Press ? for all shortcuts.
      </p>
      {/* Wide rows (usage, actions) scroll sideways on a narrow window rather than being cut. */}
      <div className="env-table__scroll">
        <table
          ref={table}
          className="table env-table"
          aria-label="Environments"
          aria-describedby={hintId}
          tabIndex={0}
          onKeyDown={onKeyDown}
          onFocus={() => {
            if (!selected && items[0]) setSelectedId(items[0].id);
          }}
        >
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Backend</th>
              <th scope="col">OS</th>
              <th scope="col">Resources</th>
              <th scope="col">Uptime</th>
              <th scope="col">Usage</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((env) => (
              <EnvironmentRow
                key={env.id}
                env={env}
                selected={env.id === selected?.id}
                onSelect={() => {
                  setSelectedId(env.id);
                  if (!table.current?.contains(document.activeElement)) table.current?.focus();
                }}
                onDelete={() => setDeleting(env)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {deleting ? (
        <DeleteEnvironmentDialog
          env={deleting}
          onDone={() => {
            setDeleting(null);
            table.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}
