import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { importStatus, useImportsStore } from '../state/imports-store';
import type { ImportEntry } from '../state/imports-store';
import { useOverlaysStore } from '../state/overlays-store';
import { trayOrder, useTasksStore } from '../state/tasks-store';
import { TaskTrayItem } from './task-tray-item';

/** Dropped files the server has no task for yet (uploading, or failed before the import). */
function uploadsWithoutTask(entries: ImportEntry[]): ImportEntry[] {
  return entries.filter((e) => e.taskId === null && e.phase !== 'refused');
}

function TrayList() {
  const tasks = useTasksStore(useShallow((store) => trayOrder(Object.values(store.byId))));
  const cancelErrors = useTasksStore((store) => store.cancelErrors);
  const cancelTask = useTasksStore((store) => store.cancel);
  const uploads = useImportsStore(useShallow((store) => uploadsWithoutTask(store.entries)));
  const cancelUpload = useImportsStore((store) => store.cancel);

  if (tasks.length === 0 && uploads.length === 0)
    return <p className="empty">No tasks yet: imports, conversions and boots show up here.</p>;
  return (
    <ul className="tray-list" aria-label="Running and recent tasks">
      {uploads.map((entry) => {
        const status = importStatus(entry, undefined);
        return (
          <TaskTrayItem
            key={entry.id}
            title={`Upload ${entry.fileName}`}
            state={
              status === 'uploading' ? 'running' : status === 'cancelled' ? 'cancelled' : 'failed'
            }
            progress={{ stage: 'upload', done: entry.sent, total: entry.size, state: 'running' }}
            message={null}
            error={entry.error}
            onCancel={() => cancelUpload(entry.id)}
          />
        );
      })}
      {tasks.map((task) => (
        <TaskTrayItem
          key={task.id}
          title={task.title}
          state={task.state}
          progress={task}
          message={task.message}
          error={task.error}
          cancelError={cancelErrors[task.id]}
          onCancel={() => void cancelTask(task.id)}
        />
      ))}
    </ul>
  );
}

/** The header's tray: a button with the number running, and a popover with the tasks. */
export function TaskTray() {
  const open = useOverlaysStore((store) => store.tray);
  const setTray = useOverlaysStore((store) => store.setTray);
  const running = useTasksStore(
    (store) => Object.values(store.byId).filter((t) => t.state === 'running').length,
  );
  const uploading = useImportsStore(
    (store) => store.entries.filter((e) => e.phase === 'uploading').length,
  );
  const count = running + uploading;
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    panel.current?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setTray(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open, setTray]);

  const close = () => {
    setTray(false);
    button.current?.focus();
  };

  return (
    <div className="tray" ref={root}>
      <button
        ref={button}
        type="button"
        className="button--quiet tray__button"
        aria-expanded={open}
        aria-controls="task-tray"
        aria-label={count > 0 ? `Tasks, ${count} running` : 'Tasks'}
        onClick={() => setTray(!open)}
      >
        Tasks
        {count > 0 ? (
          <span className="badge" aria-hidden="true">
            {count}
          </span>
        ) : null}
      </button>
      {open ? (
        <div
          id="task-tray"
          ref={panel}
          className="tray__panel"
          role="dialog"
          aria-label="Tasks"
          tabIndex={-1}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              close();
            }
          }}
        >
          <TrayList />
        </div>
      ) : null}
    </div>
  );
}
