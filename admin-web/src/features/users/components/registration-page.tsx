import { Link } from '@tanstack/react-router';
import { useEffect, type ReactNode } from 'react';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { StatusBadge } from '@/components/ui/status-badge';
import { isApiError } from '@/lib/api-client';
import { formatCpf, formatDateTime, formatPhone } from '@/lib/format';
import type { RegistrationDetail } from '@/types/api';
import { useRegistration } from '../api/get-registration';
import { NotesPanel } from './notes-panel';
import { Timeline } from './timeline';

export interface RegistrationPageProps {
  id: string;
  /** What the reviewer can do about it (approve, reject, why it failed), shown under the header. */
  renderDecision?: (detail: RegistrationDetail) => ReactNode;
}

export function RegistrationPage({ id, renderDecision }: RegistrationPageProps) {
  const query = useRegistration(id);
  const name = query.data?.registration.name;

  useEffect(() => {
    document.title = `${name ?? 'Registration'} · Regflow Review`;
  }, [name]);

  if (query.isPending) {
    return (
      <div className="page">
        <LoadingState label="Loading registration…" />
      </div>
    );
  }
  if (query.isError) {
    const notFound = isApiError(query.error) && query.error.status === 404;
    return (
      <div className="page">
        <BackLink />
        {notFound ? (
          <EmptyState title="No registration with this id">
            <p>
              It may have been removed, or the link is incomplete. <Link to="/search">Search registrations</Link>{' '}
              instead.
            </p>
          </EmptyState>
        ) : (
          <ErrorState
            title="The registration could not be loaded"
            error={query.error}
            onRetry={() => void query.refetch()}
          />
        )}
      </div>
    );
  }

  const { registration, status } = query.data;

  return (
    <div className="page detail-page">
      <BackLink />
      <header className="detail-header">
        <div>
          <h1>{registration.name}</h1>
          <p className="muted">{registration.email}</p>
        </div>
        <StatusBadge status={status} />
      </header>

      {renderDecision?.(query.data)}

      <div className="detail-grid">
        <section aria-labelledby="detail-data" className="panel">
          <h2 id="detail-data">Registration</h2>
          <dl className="facts">
            <div>
              <dt>Email</dt>
              <dd className="break">{registration.email}</dd>
            </div>
            <div>
              <dt>CPF</dt>
              <dd className="tabular">
                {registration.cpf ? formatCpf(registration.cpf) : <span className="muted">Not provided</span>}
              </dd>
            </div>
            <div>
              <dt>Phone</dt>
              <dd className="tabular">
                {registration.phone ? formatPhone(registration.phone) : <span className="muted">Not provided</span>}
              </dd>
            </div>
            <div>
              <dt>Signed up</dt>
              <dd>
                <time dateTime={registration.registeredAt}>{formatDateTime(registration.registeredAt)}</time>
              </dd>
            </div>
            <div className="facts-wide">
              <dt>Note</dt>
              <dd className="prewrap">{registration.note ?? <span className="muted">No note</span>}</dd>
            </div>
            <div className="facts-wide">
              <dt>Registration id</dt>
              <dd className="mono small">{registration.id}</dd>
            </div>
          </dl>
        </section>
        <section aria-labelledby="detail-timeline" className="panel">
          <h2 id="detail-timeline">Timeline</h2>
          <Timeline detail={query.data} />
        </section>
      </div>
      <NotesPanel registrationId={registration.id} notes={query.data.notes} />
    </div>
  );
}

function BackLink() {
  return (
    <p className="back-link">
      <Link to="/" activeOptions={{ exact: true }}>
        ← Back to the queue
      </Link>
    </p>
  );
}
