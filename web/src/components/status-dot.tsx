import type { Status } from '../types';

const LABEL: Record<Status, string> = { up: 'Up', down: 'Down', degraded: 'Degraded', paused: 'Paused', unknown: 'Unknown' };

export function StatusDot({ status }: { status: Status }) {
  return <span className={`dot dot-${status}`} title={LABEL[status]} aria-label={LABEL[status]} />;
}

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      <StatusDot status={status} />
      {LABEL[status]}
    </span>
  );
}
