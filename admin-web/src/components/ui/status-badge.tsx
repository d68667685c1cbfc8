import type { RegistrationStatus } from '@/types/api';

const LABEL: Record<RegistrationStatus, string> = {
  unconfirmed: 'Email unconfirmed',
  expired: 'Expired',
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  duplicate: 'Duplicate',
};

export function StatusBadge({ status }: { status: RegistrationStatus }) {
  return <span className={`badge badge-${status}`}>{LABEL[status]}</span>;
}

export function statusLabel(status: RegistrationStatus): string {
  return LABEL[status];
}
