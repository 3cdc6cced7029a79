import type { EnvironmentSummary } from '../../../../preload/contract';

/** The state as a word, and why it is in it (also as a tooltip, for a narrow column). */
export function EnvironmentState({ env }: { env: EnvironmentSummary }) {
  return (
    <span className="env-state" title={env.stateReason ?? undefined}>
      <span className={`state state--${env.state}`}>{env.state}</span>
      {env.stateReason ? <span className="state__reason">{env.stateReason}</span> : null}
    </span>
  );
}
