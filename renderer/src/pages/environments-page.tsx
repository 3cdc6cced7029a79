import { useEffect } from 'react';
import { ErrorNotice } from '../components/error-notice';
import { LoadingNotice } from '../components/loading-notice';
import { PageHeader } from '../components/page-header';
import { Section } from '../components/section';
import { useAuditStore } from '../state/audit-store';
import { useConnectionStore } from '../state/connection-store';
import { useEnvironmentsStore } from '../state/environments-store';
import { ActivityFeed } from './environments/activity-feed';
import { EnvironmentList } from './environments/environment-list';

export function EnvironmentsPage() {
  const epoch = useConnectionStore((store) => store.epoch);
  const environments = useEnvironmentsStore();
  const audit = useAuditStore();
  const loadEnvironments = environments.load;
  const loadAudit = audit.load;

  useEffect(() => {
    if (epoch === 0) return;
    void loadEnvironments();
    void loadAudit();
  }, [epoch, loadEnvironments, loadAudit]);

  return (
    <>
      <PageHeader
        title="Environments"
        intro="Virtual machines and containers GenOS manages on this machine."
      />
      <div className="card-grid card-grid--wide">
        <Section title="All environments">
          {environments.error ? (
            <ErrorNotice title="Could not list environments" error={environments.error} />
          ) : null}
          {environments.status === 'ready' ? (
            <EnvironmentList items={environments.items} />
          ) : environments.status !== 'error' ? (
            <LoadingNotice>Loading environments…</LoadingNotice>
          ) : null}
        </Section>
        <Section title="Activity">
          {audit.error ? (
            <ErrorNotice title="Could not read the activity log" error={audit.error} />
          ) : null}
          {audit.status === 'ready' ? (
            <ActivityFeed items={audit.items} />
          ) : audit.status !== 'error' ? (
            <LoadingNotice>Loading activity…</LoadingNotice>
          ) : null}
        </Section>
      </div>
    </>
  );
}
