import { useConnectionStore } from '../state/connection-store';

/** Shown instead of the app when there is no token, or the server refused the one we had. */
export function TokenRequiredScreen() {
  const { state, detail } = useConnectionStore();
  return (
    <main className="token-screen" aria-labelledby="token-title">
      <h1 id="token-title">Open GenOS with its link</h1>
      <p>
        This page needs the link with its token — copy the full URL that <code>genos serve</code>{' '}
        printed.
      </p>
      {state === 'token-refused' ? (
        <p className="token-screen__detail">
          {detail ?? 'The server refused the token this page had.'} A server prints a new link each
          time it starts.
        </p>
      ) : null}
      <p className="token-screen__example">
        It looks like <code>http://127.0.0.1:PORT/#token=…</code>
      </p>
    </main>
  );
}
