import type { ApiErrorShape } from '../../../preload/contract';

/** A failed call, as the server worded it, with its code for bug reports. */
export function ErrorNotice({ title, error }: { title: string; error: ApiErrorShape }) {
  return (
    <div role="alert" className="notice notice--error">
      <p className="notice__title">{title}</p>
      <p>{error.message}</p>
      <p className="notice__code">Error code: {error.code}</p>
    </div>
  );
}
