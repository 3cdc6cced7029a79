import type { EnvironmentSummary } from '../../../../preload/contract';
import { detailHash } from '../../shell/routes';
import { useEnvironmentActionsStore } from '../../state/environment-actions-store';
import { ActionFailureNotice } from './action-failure';
import { EnvironmentActions } from './environment-actions';
import { EnvironmentState } from './environment-state';
import { ProvisionStageLabel } from './provision-stage';
import { backendLabel, resourcesLabel, specSummary } from './spec-summary';
import { UsageCell } from './usage-cells';
import { Uptime } from './uptime';

export const ENVIRONMENT_COLUMNS = 8;

/** One environment, and under it the error of its last action if that failed. */
export function EnvironmentRow({
  env,
  selected,
  onSelect,
  onDelete,
}: {
  env: EnvironmentSummary;
  selected: boolean;
  onSelect: () => void;
  onDelete: () => void;
}) {
  const failure = useEnvironmentActionsStore((store) => store.failures[env.id]);
  const pending = useEnvironmentActionsStore((store) => store.pending[env.id]);
  const dismiss = useEnvironmentActionsStore((store) => store.dismiss);
  const summary = specSummary(env);
  return (
    <>
      <tr
        className={`env-row${selected ? ' env-row--selected' : ''}`}
        aria-selected={selected}
        aria-busy={pending !== undefined}
        onClick={onSelect}
      >
        <th scope="row">
          <a href={detailHash('environments', env.id)} className="env-row__name">
            {env.name}
          </a>
        </th>
        <td>
          <EnvironmentState env={env} />
          {env.provision && env.provision.stage !== 'ready' ? (
            <>
              {' '}
              <ProvisionStageLabel env={env} />
            </>
          ) : null}
        </td>
        <td>{backendLabel(env.backend)}</td>
        <td>{summary.os}</td>
        <td>{resourcesLabel(summary)}</td>
        <td>
          <Uptime env={env} />
        </td>
        <UsageCell env={env} />
        <td>
          <EnvironmentActions env={env} onDelete={onDelete} />
        </td>
      </tr>
      {failure ? (
        <tr className="env-row__failure">
          <td colSpan={ENVIRONMENT_COLUMNS}>
            <ActionFailureNotice
              name={env.name}
              failure={failure}
              onDismiss={() => dismiss(env.id)}
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}
