import { useEffect } from 'react';
import { ErrorNotice } from '../components/error-notice';
import { LoadingNotice } from '../components/loading-notice';
import { PageHeader } from '../components/page-header';
import { Section } from '../components/section';
import { hashFor } from '../shell/routes';
import { useAuditStore } from '../state/audit-store';
import { useConnectionStore } from '../state/connection-store';
import { useEnvironmentsStore } from '../state/environments-store';
import { useRouteStore } from '../state/route-store';
import { ActivityFeed } from './environments/activity-feed';
import { EnvironmentDetail } from './environments/environment-detail';
import { EnvironmentList } from './environments/environment-list';

function Opened({ id }: { id: string }) {
  const env = useEnvironmentsStore((store) => store.items.find((item) => item.id === id));
  const status = useEnvironmentsStore((store) => store.status);
  const deleted = useEnvironmentsStore((store) => store.deleted.has(id));
  // Deleted while open (here or in another window): back to the list, where it is gone too.
  useEffect(() => {
    if (deleted) window.location.hash = hashFor('environments');
  }, [deleted]);
  if (env) return <EnvironmentDetail env={env} />;
  if (status !== 'ready') return null;
  return (
    <Section title="Not found">
      <p>
        There is no environment with id <code>{id}</code> (any more).{' '}
        <a href={hashFor('environments')}>All environments</a>
      </p>
    </Section>
  );
}

export function EnvironmentsPage() {
  const epoch = useConnectionStore((store) => store.epoch);
  const detail = useRouteStore((store) => store.detail);
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
      <div className="stack">
        {detail ? (
          <Opened id={detail} />
        ) : (
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
        )}
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
