import type { EnvironmentSummary } from '../../../../preload/contract';

/** In place of a display or terminal while there is none to show. */
export function NotRunning({ env, what }: { env: EnvironmentSummary; what: string }) {
  const starting = env.state === 'starting' || env.state === 'provisioning';
  return (
    <p role="status" className="notice not-running">
      {starting
        ? `${env.name} is ${env.state}: its ${what} appears when it is running.`
        : `${env.name} is not running (${env.state}). Start it to see its ${what}.`}
    </p>
  );
}
