import type { ReactNode } from 'react';

export const PAGE_TITLE_ID = 'page-title';

/** The page's h1 (which names the main landmark) and its actions. */
export function PageHeader({
  title,
  intro,
  actions,
}: {
  title: string;
  intro?: string;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1 id={PAGE_TITLE_ID}>{title}</h1>
        {intro ? <p className="page-header__intro">{intro}</p> : null}
      </div>
      {actions ? <div className="page-header__actions">{actions}</div> : null}
    </header>
  );
}
