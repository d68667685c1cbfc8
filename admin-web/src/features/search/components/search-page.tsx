import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ErrorState, LoadingState, Spinner } from '@/components/ui/states';
import { StatusBadge } from '@/components/ui/status-badge';
import { env } from '@/config/env';
import { formatDateTime, formatCount, formatPhone, plural } from '@/lib/format';
import { registrationStatusSchema, type RegistrationStatus, type SearchHit } from '@/types/api';
import { useSearchRegistrations, type SearchParams } from '../api/search-registrations';
import { Highlighted, highlightCpf, highlightValue } from './highlight';
import { normalizeQuery, searchFor } from './search-params';

// Search engines stop paging deep result sets (max_result_window); past this, refine the query.
const MAX_RESULTS = 10_000;
const DEBOUNCE_MS = 300;

const STATUS_OPTIONS: Array<{ value: RegistrationStatus | ''; label: string }> = [
  { value: '', label: 'All statuses' },
  { value: 'pending', label: 'Pending' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'duplicate', label: 'Duplicate' },
  { value: 'unconfirmed', label: 'Email unconfirmed' },
  { value: 'expired', label: 'Expired (never confirmed)' },
];

const route = getRouteApi('/signed-in/search');

export function SearchPage() {
  const { q = '', status = '', page = 1 } = route.useSearch();
  const navigate = route.useNavigate();
  const size = env.searchPageSize;
  const params: SearchParams = { q: normalizeQuery(q), status, from: (page - 1) * size, size };
  const search = useSearchRegistrations(params);
  const [draft, setDraft] = useState(q);
  // The URL is the source of truth (shareable, survives sign-in); follow it when it changes elsewhere.
  const [draftOf, setDraftOf] = useState(q);
  if (draftOf !== q) {
    setDraftOf(q);
    setDraft(q);
  }
  const inputId = useId();
  const statusId = useId();
  const hintId = useId();
  const resultsRef = useRef<HTMLTableSectionElement>(null);

  useEffect(() => {
    if (draft === q) return;
    const timer = setTimeout(
      () => void navigate({ search: searchFor({ q: draft, status }), replace: true }),
      DEBOUNCE_MS,
    );
    return () => clearTimeout(timer);
  }, [draft, q, status, navigate]);

  useEffect(() => {
    document.title = q ? `Search “${q}” · Regflow Review` : 'Search · Regflow Review';
  }, [q]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void navigate({ search: searchFor({ q: draft, status }), replace: draft === q });
  };

  const onStatusChange = (value: string) => {
    const next = registrationStatusSchema.safeParse(value);
    void navigate({ search: searchFor({ q: draft, status: next.success ? next.data : '' }), replace: true });
  };

  const total = search.data?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(Math.min(total, MAX_RESULTS) / size));
  const goToPage = (next: number) => {
    void navigate({ search: searchFor({ q, status, page: next }) });
    resultsRef.current?.closest('.page')?.scrollTo?.({ top: 0 });
  };

  const first = (page - 1) * size + 1;
  const last = Math.min(total, page * size);
  const countText = search.data
    ? total === 0
      ? 'No results'
      : `${plural(total, 'result')}${total > size ? `, showing ${formatCount(first)}–${formatCount(last)}` : ''}`
    : '';

  return (
    <div className="page search-page">
      <h1>Search registrations</h1>
      <form role="search" className="search-form" onSubmit={onSubmit} aria-label="Registrations">
        <div className="field field-grow">
          <label htmlFor={inputId}>Name, email or CPF</label>
          <input
            id={inputId}
            type="search"
            data-shortcut-search=""
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="e.g. Ana Souza, ana@example.com, 123.456.789-01"
            aria-describedby={hintId}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor={statusId}>Status</label>
          <select id={statusId} value={status} onChange={(e) => onStatusChange(e.target.value)}>
            {STATUS_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-primary">
          Search
        </button>
      </form>
      <p id={hintId} className="field-hint">
        Small typos in names still match. Rejected and duplicate registrations are included unless you filter them out.
      </p>

      <div className="search-summary">
        <p role="status" className="result-count">
          {countText}
        </p>
        {search.isFetching && search.data ? <Spinner label="Updating…" /> : null}
      </div>

      {search.isPending ? (
        <LoadingState label="Searching…" />
      ) : search.isError && !search.data ? (
        <ErrorState title="Search failed" error={search.error} onRetry={() => void search.refetch()} />
      ) : total === 0 ? (
        <div className="state state-empty">
          <p className="state-title">{q ? `Nothing matches “${q}”` : 'No registrations found'}</p>
          <p className="state-body">
            {status ? 'Try "All statuses", or ' : 'Try '}a shorter query: part of the name, the email or just the CPF
            digits.
          </p>
        </div>
      ) : (
        <>
          <div className="table-wrap" role="region" aria-label="Search results" tabIndex={0}>
            <table className="results" aria-busy={search.isFetching}>
              <caption className="sr-only">
                Search results{q ? ` for ${q}` : ''}, page {page} of {pageCount}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">CPF</th>
                  <th scope="col">Status</th>
                  <th scope="col">Signed up</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody ref={resultsRef}>
                {search.data?.items.map((hit) => (
                  <ResultRow key={hit.id} hit={hit} />
                ))}
              </tbody>
            </table>
          </div>
          {pageCount > 1 ? (
            <nav className="pagination" aria-label="Pagination">
              <button type="button" className="btn" disabled={page <= 1} onClick={() => goToPage(page - 1)}>
                Previous page
              </button>
              <span>
                Page {formatCount(page)} of {formatCount(pageCount)}
              </span>
              <button type="button" className="btn" disabled={page >= pageCount} onClick={() => goToPage(page + 1)}>
                Next page
              </button>
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
}

function ResultRow({ hit }: { hit: SearchHit }) {
  return (
    <tr>
      <th scope="row">
        <Link to="/users/$id" params={{ id: hit.id }}>
          <Highlighted segments={highlightValue(hit.name, hit.highlight?.name)} />
        </Link>
      </th>
      <td className="email-cell">
        <Highlighted segments={highlightValue(hit.email, hit.highlight?.email)} />
      </td>
      <td className="tabular nowrap">
        {hit.cpf ? (
          <Highlighted segments={highlightCpf(hit.cpf, hit.highlight?.cpf)} />
        ) : (
          <span className="muted">—</span>
        )}
        {hit.phone ? <div className="muted small">{formatPhone(hit.phone)}</div> : null}
      </td>
      <td>
        <StatusBadge status={hit.status} />
      </td>
      <td className="nowrap">
        <time dateTime={hit.registeredAt}>{formatDateTime(hit.registeredAt)}</time>
      </td>
      <td className="decision-cell">
        {hit.decidedAt ? (
          <>
            <div>
              {hit.decidedBy ? `by ${hit.decidedBy}` : null}
              {hit.decidedBy ? ', ' : null}
              <time dateTime={hit.decidedAt}>{formatDateTime(hit.decidedAt)}</time>
            </div>
            {hit.reason ? <div className="muted small">Reason: {hit.reason}</div> : null}
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}
