import { ConnectionIndicator } from './connection-indicator';

export function AppHeader() {
  return (
    <header className="app-header">
      <p className="app-name">GenOS</p>
      <ConnectionIndicator />
    </header>
  );
}
