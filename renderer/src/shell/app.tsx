import { useEffect } from 'react';
import { api } from '../bridge/api';
import { useConnectionStore } from '../state/connection-store';
import { bindLiveEvents } from '../state/live-events';
import { bindRouting } from '../state/route-store';
import { useSettingsStore } from '../state/settings-store';
import { useDocumentTheme } from '../theme/use-document-theme';
import { AppShell } from './app-shell';
import { TokenRequiredScreen } from './token-required-screen';

export function App() {
  const { state, epoch } = useConnectionStore();
  const loadSettings = useSettingsStore((store) => store.load);
  useDocumentTheme();

  useEffect(() => bindRouting(), []);
  useEffect(() => bindLiveEvents(api), []);
  // The theme is a setting: every page needs it, not only the Settings page.
  useEffect(() => {
    if (epoch > 0) void loadSettings();
  }, [epoch, loadSettings]);

  if (state === 'token-missing' || state === 'token-refused') return <TokenRequiredScreen />;
  return <AppShell />;
}
