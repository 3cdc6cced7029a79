import { useEffect, useId, useState } from 'react';
import type { EnvironmentSpec, LaunchPlan } from '../../../../preload/contract';
import type { ComposedView } from '../../state/compose-spec';
import { usePlanStore } from '../../state/compose-plan-store';

/** Plans are cheap but not free (a backend probe): wait for the edits to settle. */
const PLAN_PAUSE_MS = 250;

/** The command as a shell would take it, for pasting into a terminal. */
export function shellCommand(binary: string, argv: readonly string[]): string {
  const quote = (arg: string) =>
    /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
  return [binary, ...argv].map(quote).join(' ');
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(null), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);
  return (
    <span className="plan__copy">
      <button
        type="button"
        className="button--quiet button--small"
        onClick={() => {
          navigator.clipboard
            ?.writeText(text)
            .then(() => setCopied('yes'))
            .catch(() => setCopied('no'));
        }}
      >
        {label}
      </button>
      <span role="status" className="plan__copied">
        {copied === 'yes'
          ? 'Copied'
          : copied === 'no'
            ? 'Copying was refused: select the text'
            : ''}
      </span>
    </span>
  );
}

function Code({ label, text }: { label: string; text: string }) {
  return (
    <figure className="plan__code" aria-label={label}>
      <figcaption className="visually-hidden">{label}</figcaption>
      {/* Focusable so the keyboard can scroll it. */}
      <pre tabIndex={0}>{text}</pre>
    </figure>
  );
}

function PlanView({ plan }: { plan: LaunchPlan }) {
  return (
    <>
      {plan.backend === 'qemu' ? (
        <>
          <p>
            Runs <code>{plan.binary}</code> with these {plan.argv.length} arguments, one per line:
          </p>
          <Code label="QEMU arguments" text={plan.argv.join('\n')} />
          <CopyButton text={shellCommand(plan.binary, plan.argv)} label="Copy as a command" />
        </>
      ) : (
        <>
          <p>
            Creates a container from <code>{plan.image}</code> with these options:
          </p>
          <Code label="Docker create options" text={JSON.stringify(plan.createOptions, null, 2)} />
          <CopyButton text={JSON.stringify(plan.createOptions, null, 2)} label="Copy the options" />
        </>
      )}
      {plan.notes.length ? (
        <ul className="plan__notes" aria-label="Plan notes">
          {plan.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

/**
 * The dry run: the exact launch the backend would make for the spec, refreshed as it changes.
 * Nothing starts here.
 */
export function PlanPanel({ view }: { view: ComposedView }) {
  const [picked, setPicked] = useState(0);
  const { status, plan, error, refresh, clear } = usePlanStore();
  const titleId = useId();
  const pickId = useId();
  const index = Math.min(picked, Math.max(0, view.specs.length - 1));
  const spec: EnvironmentSpec | undefined = view.specs[index];
  const plannable = spec && view.problems.length === 0 ? spec : null;

  useEffect(() => {
    if (!plannable) {
      clear();
      return;
    }
    const timer = window.setTimeout(() => void refresh(plannable), PLAN_PAUSE_MS);
    return () => window.clearTimeout(timer);
  }, [plannable, clear, refresh]);

  return (
    <section className="card plan" aria-labelledby={titleId} aria-busy={status === 'loading'}>
      <h2 id={titleId}>Dry run</h2>
      <p className="hint">What Launch will run, exactly. Nothing starts here.</p>
      {view.specs.length > 1 ? (
        <div className="field plan__pick">
          <label htmlFor={pickId}>Environment</label>
          <select
            id={pickId}
            value={index}
            onChange={(event) => setPicked(Number(event.target.value))}
          >
            {view.specs.map((s, i) => (
              <option key={`${s.name}-${i}`} value={i}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {!spec ? (
        <p className="placeholder">The launch plan shows here once there is a spec.</p>
      ) : !plannable ? (
        <p className="placeholder">Fix the spec’s problems to see its launch plan.</p>
      ) : status === 'error' && error ? (
        <div role="alert" className="notice notice--error">
          <p className="notice__title">No launch plan for {spec.name}</p>
          <p>{error.message}</p>
          <p className="notice__code">Error code: {error.code}</p>
        </div>
      ) : plan ? (
        <PlanView plan={plan} />
      ) : (
        <p role="status" className="notice notice--loading">
          Planning…
        </p>
      )}
    </section>
  );
}
