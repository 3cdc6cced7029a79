import { useEffect } from 'react';
import { api } from '../bridge/api';
import { useConnectionStore } from '../state/connection-store';
import { bindLiveEvents } from '../state/live-events';
import { bindRouting } from '../state/route-store';
import { useSettingsStore } from '../state/settings-store';
import { useTasksStore } from '../state/tasks-store';
import { useDocumentTheme } from '../theme/use-document-theme';
import { AppShell } from './app-shell';
import { TokenRequiredScreen } from './token-required-screen';

export function App() {
  const { state, epoch } = useConnectionStore();
  const loadSettings = useSettingsStore((store) => store.load);
  const loadTasks = useTasksStore((store) => store.load);
  useDocumentTheme();

  useEffect(() => bindRouting(), []);
  useEffect(() => bindLiveEvents(api), []);
  // The theme is a setting and the task tray is in the header: every page needs both.
  useEffect(() => {
    if (epoch === 0) return;
    void loadSettings();
    void loadTasks();
  }, [epoch, loadSettings, loadTasks]);

  if (state === 'token-missing' || state === 'token-refused') return <TokenRequiredScreen />;
  return <AppShell />;
}
