import { ErrorNotice } from '../components/error-notice';
import { LoadingNotice } from '../components/loading-notice';
import { PageHeader } from '../components/page-header';
import { Section } from '../components/section';
import { useConnectionStore } from '../state/connection-store';
import { useSettingsStore } from '../state/settings-store';
import { AppInfoSection } from './settings/app-info-section';
import { SettingsForm } from './settings/settings-form';
import { ThemeField } from './settings/theme-field';

export function SettingsPage() {
  const epoch = useConnectionStore((store) => store.epoch);
  // The settings themselves are loaded by the app (the theme needs them on every page).
  const { settings, status, error, saving, saveError, update } = useSettingsStore();

  return (
    <>
      <PageHeader
        title="Settings"
        intro="Stored with the data directory; every open window follows changes."
      />
      {error ? <ErrorNotice title="Could not load the settings" error={error} /> : null}
      {saveError ? <ErrorNotice title="The change was not saved" error={saveError} /> : null}
      {!settings && status !== 'error' ? <LoadingNotice>Loading settings…</LoadingNotice> : null}
      <div className="card-grid">
        {settings ? (
          <>
            <Section title="Appearance">
              <ThemeField value={settings.theme} onChange={(theme) => void update({ theme })} />
            </Section>
            <Section title="Defaults and limits">
              <SettingsForm settings={settings} saving={saving} save={update} />
            </Section>
          </>
        ) : null}
        <AppInfoSection epoch={epoch} />
      </div>
    </>
  );
}
