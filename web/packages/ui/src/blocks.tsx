/** Small generic blocks: a loading placeholder and an empty state. Their words come in as props. */

import type { ReactNode } from "react";

/**
 * A loading placeholder of `lines` grey bars. With `label` it is a live status that says what is loading (announced
 * once); without, it is decoration next to a status said elsewhere.
 */
export function Skeleton({ lines = 3, label }: { lines?: number; label?: string }) {
  const bars = Array.from({ length: lines }, (_, index) => <span key={index} className="ui-skeleton-bar" />);
  return label ? (
    <div className="ui-skeleton" role="status" aria-busy="true">
      <span className="ui-visually-hidden">{label}</span>
      {bars}
    </div>
  ) : (
    <div className="ui-skeleton" aria-hidden="true">
      {bars}
    </div>
  );
}

/** What a list says when it has nothing yet, and the one thing to do about it (a link or a button), if any. */
export function EmptyState({ title, children, action }: { title: ReactNode; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="ui-empty">
      <p className="ui-empty-title">{title}</p>
      {children ? <div className="muted">{children}</div> : null}
      {action ? <div className="ui-empty-action">{action}</div> : null}
    </div>
  );
}
