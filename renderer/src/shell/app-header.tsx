import { useOverlaysStore } from '../state/overlays-store';
import { ConnectionIndicator } from './connection-indicator';
import { TaskTray } from './task-tray';

export function AppHeader() {
  const setHelp = useOverlaysStore((store) => store.setHelp);
  return (
    <header className="app-header">
      <p className="app-name">GenOS</p>
      <div className="app-header__tools">
        <TaskTray />
        <button
          type="button"
          className="button--quiet"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          onClick={() => setHelp(true)}
        >
          ?
        </button>
        <ConnectionIndicator />
      </div>
    </header>
  );
}
