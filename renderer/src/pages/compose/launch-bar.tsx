import { hashFor } from '../../shell/routes';
import { useLaunchStore } from '../../state/compose-launch-store';
import type { ComposedView } from '../../state/compose-spec';
import { useComposeStore } from '../../state/compose-store';
import { launchesAsStack, useStackLaunchStore } from './stack-launch';

/**
 * Launch: create the environments, start each, then show them on the Environments page. "Create without starting" leaves
 * them as drafts. A stack (several environments, one each, or some requiring others) goes to the
 * server as one upStack, which starts them in dependency order. A failure stays here, in the
 * server's words, until dismissed.
 */
export function LaunchBar({ view }: { view: ComposedView }) {
  const asStack = launchesAsStack(view.specs);
  const one = useLaunchStore();
  const stack = useStackLaunchStore();
  const { busy, step, failure, launch, dismiss } = asStack ? stack : one;
  const prompt = useComposeStore((store) => store.prompt);
  const remember = useComposeStore((store) => store.remember);

  const total = view.specs.reduce((sum, spec) => sum + spec.count, 0);
  const disabled = busy || total === 0 || view.problems.length > 0;

  const go = async (start: boolean) => {
    if (view.source === 'prompt') remember(prompt);
    const made = await launch(view.specs, start);
    // The list shows every environment just made (count may be more than one), live.
    if (made && made.length > 0) window.location.hash = hashFor('environments');
  };

  return (
    <div className="launch-bar" role="group" aria-label="Launch">
      <div className="launch-bar__buttons">
        <button type="button" disabled={disabled} onClick={() => void go(true)}>
          {total > 1 ? `Launch ${total} environments` : 'Launch'}
        </button>
        <button
          type="button"
          className="button--quiet"
          disabled={disabled}
          onClick={() => void go(false)}
        >
          Create without starting
        </button>
        <span role="status" className="launch-bar__step">
          {step ?? ''}
        </span>
      </div>
      {failure ? (
        <div role="alert" className="inline-error">
          <div>
            <p className="inline-error__title">{failure.message}</p>
            <p>{failure.error.message}</p>
            {failure.error.code ? (
              <p className="notice__code">Error code: {failure.error.code}</p>
            ) : null}
          </div>
          <button
            type="button"
            className="button--quiet button--small"
            aria-label="Dismiss the launch error"
            onClick={dismiss}
          >
            Dismiss
          </button>
        </div>
      ) : null}
    </div>
  );
}
