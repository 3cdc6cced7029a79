import { useId } from 'react';
import { ErrorNotice } from '../../components/error-notice';
import { useComposeStore } from '../../state/compose-store';

/** What the composer made of the prompt: why it could not, or its confidence and warnings. */
export function ComposeOutcome() {
  const result = useComposeStore((store) => store.result);
  const callError = useComposeStore((store) => store.callError);
  const labelId = useId();

  if (callError) return <ErrorNotice title="Could not compose" error={callError} />;
  if (!result) return null;
  if ('error' in result) {
    return (
      <div role="alert" className="notice notice--error compose-error">
        <p className="notice__title">No environment from this prompt</p>
        <p>{result.error}</p>
      </div>
    );
  }
  const percent = Math.round(result.confidence * 100);
  return (
    <div className="compose-outcome">
      <p className="compose-confidence">
        <span id={labelId}>Confidence</span>
        <meter
          aria-labelledby={labelId}
          min={0}
          max={1}
          low={0.6}
          high={0.85}
          optimum={1}
          value={result.confidence}
        />
        <span>{percent} %</span>
        {percent < 85 ? (
          <span className="muted"> — check the fields below: some are guesses.</span>
        ) : null}
      </p>
      {result.warnings.length ? (
        <ul className="compose-warnings" aria-label="Warnings">
          {result.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
