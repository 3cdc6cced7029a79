import { useState } from 'react';
import type { EnvironmentSummary } from '../../../../preload/contract';
import { Fact, FactList } from '../../components/fact-list';
import { Section } from '../../components/section';
import '../../styles/environment.css';
import { formatTime } from '../../format/times';
import { hashFor } from '../../shell/routes';
import { useEnvironmentActionsStore } from '../../state/environment-actions-store';
import { EnvironmentTabs } from '../environment/environment-tabs';
import { ActionFailureNotice } from './action-failure';
import { DeleteEnvironmentDialog } from './delete-environment-dialog';
import { EnvironmentActions } from './environment-actions';
import { EnvironmentState } from './environment-state';
import { FinishInstall, firmwareLabel } from './install-finish';
import { GuestLogin, ProvisionStageLabel } from './provision-stage';
import { backendLabel, resourcesLabel, specSummary } from './spec-summary';
import { Uptime } from './uptime';

/**
 * One environment (Enter on the list, or its name): a header with its state and actions, kept
 * live by `environmentChanged` (the store this page reads from), and its views as tabs.
 */
export function EnvironmentDetail({ env }: { env: EnvironmentSummary }) {
  const [deleting, setDeleting] = useState(false);
  const failure = useEnvironmentActionsStore((store) => store.failures[env.id]);
  const dismiss = useEnvironmentActionsStore((store) => store.dismiss);
  const summary = specSummary(env);
  return (
    <Section title={env.name}>
      <p>
        <a href={hashFor('environments')}>← All environments</a>
      </p>
      <div className="env-detail__actions">
        <EnvironmentActions env={env} onDelete={() => setDeleting(true)} />
      </div>
      {failure ? (
        <ActionFailureNotice name={env.name} failure={failure} onDismiss={() => dismiss(env.id)} />
      ) : null}
      <div className="env-detail__facts">
        <FactList>
          <Fact label="State">
            <EnvironmentState env={env} />
          </Fact>
          <Fact label="Backend">{backendLabel(env.backend)}</Fact>
          <Fact label="Operating system">{summary.os}</Fact>
          <Fact label="Resources">{resourcesLabel(summary)}</Fact>
          {firmwareLabel(env) ? <Fact label="Firmware">{firmwareLabel(env)}</Fact> : null}
          {env.provision ? (
            <Fact label="Provisioning">
              <ProvisionStageLabel env={env} detailed />
            </Fact>
          ) : null}
          {env.provision ? (
            <Fact label="Login">
              <GuestLogin env={env} />
            </Fact>
          ) : null}
          <Fact label="Uptime">
            <Uptime env={env} />
          </Fact>
          <Fact label="Created">{formatTime(env.createdAt)}</Fact>
          <Fact label="Id">
            <code>{env.id}</code>
          </Fact>
        </FactList>
      </div>
      <FinishInstall env={env} />
      <EnvironmentTabs key={env.id} env={env} />
      {deleting ? <DeleteEnvironmentDialog env={env} onDone={() => setDeleting(false)} /> : null}
    </Section>
  );
}
