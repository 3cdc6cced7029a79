import { useState } from 'react';

/** A sha256 shortened for the table; the full value on hover and on the clipboard. */
export function Checksum({ sha256, imageName }: { sha256: string | null; imageName: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  if (!sha256) return <span className="muted">not computed</span>;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(sha256);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <span className="checksum">
      <code title={`sha256 ${sha256}`} aria-label={`sha256 ${sha256}`}>
        {sha256.slice(0, 12)}…
      </code>
      <button
        type="button"
        className="button--quiet button--small"
        aria-label={`Copy the sha256 of ${imageName}`}
        onClick={() => void copy()}
      >
        Copy
      </button>
      {copied ? (
        <span role="status" className="checksum__copied">
          {copied === 'yes' ? 'Copied' : 'Select and copy it from the tooltip'}
        </span>
      ) : null}
    </span>
  );
}
