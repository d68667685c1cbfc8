import { AppError, type DecisionOutcome, type RegistrationStatus } from '@regflow/common';
import type {
  DecisionCatalogueReason,
  IndexedRegistration,
  RegistrationNote,
  StagedUser,
  StoredDecision,
} from './model';

export interface RegistrationDetail {
  registration: {
    id: string;
    name: string;
    email: string;
    cpf?: string;
    phone?: string;
    note?: string;
    registeredAt: string;
  };
  status: RegistrationStatus;
  timeline: { receivedAt: string; indexedAt?: string; queuedAt?: string; stagedAt?: string; decidedAt?: string };
  decision?: {
    outcome: DecisionOutcome;
    decidedBy: string;
    decidedAt: string;
    reason?: string;
    reasonShared?: boolean;
    catalogueReason?: DecisionCatalogueReason;
  };
  /** Reviewers' notes, oldest first. */
  notes: Array<Omit<RegistrationNote, 'registrationId'>>;
}

export interface RegistrationSources {
  store: { get(id: string): Promise<StagedUser | null> };
  decisions: { find(userId: string): Promise<StoredDecision | null> };
  /** The search index, through the orchestrator: null while not indexed. */
  search: { get(id: string, correlationId: string): Promise<IndexedRegistration | null> };
}

/**
 * Everything known about one registration (the review queue, then the decisions, then the index) and
 * the reviewers' notes on it.
 */
export async function registrationDetail(
  id: string,
  correlationId: string,
  deps: RegistrationSources & { notes: { list(registrationId: string): Promise<RegistrationNote[]> } },
): Promise<RegistrationDetail> {
  const [found, notes] = await Promise.all([findRegistration(id, correlationId, deps), deps.notes.list(id)]);
  return { ...found, notes: notes.map(({ registrationId: _r, ...note }) => note) };
}

/** The registration from the first store that knows it; REGISTRATION.NOT_FOUND when none does. */
export async function findRegistration(
  id: string,
  correlationId: string,
  deps: RegistrationSources,
): Promise<Omit<RegistrationDetail, 'notes'>> {
  const staged = await deps.store.get(id);
  if (staged) {
    const { indexedAt, queuedAt, stagedAt, correlationId: _c, ...registration } = staged;
    return {
      registration: pick(registration),
      status: 'pending',
      timeline: { receivedAt: staged.registeredAt, indexedAt, queuedAt, stagedAt },
    };
  }
  const decided = await deps.decisions.find(id);
  if (decided) {
    const r = decided.registration as Record<string, string | undefined> & {
      id: string;
      name: string;
      email: string;
      registeredAt: string;
    };
    return {
      registration: pick(r),
      status: decided.outcome,
      timeline: {
        receivedAt: r.registeredAt,
        indexedAt: r.indexedAt,
        queuedAt: r.queuedAt,
        stagedAt: r.stagedAt,
        decidedAt: decided.decidedAt,
      },
      decision: {
        outcome: decided.outcome,
        decidedBy: decided.decidedBy,
        decidedAt: decided.decidedAt,
        ...(decided.reason ? { reason: decided.reason, reasonShared: decided.reasonShared } : {}),
        ...(decided.catalogueReason ? { catalogueReason: decided.catalogueReason } : {}),
      },
    };
  }
  const indexed = await deps.search.get(id, correlationId);
  if (!indexed) throw new AppError('REGISTRATION.NOT_FOUND', 404, 'No registration with this id is known.');
  return {
    registration: pick(indexed),
    status: indexed.status,
    timeline: { receivedAt: indexed.registeredAt, indexedAt: indexed.indexedAt },
  };
}

function pick(r: {
  id: string;
  name: string;
  email: string;
  cpf?: string;
  phone?: string;
  note?: string;
  registeredAt: string;
}): RegistrationDetail['registration'] {
  const { id, name, email, cpf, phone, note, registeredAt } = r;
  return {
    id,
    name,
    email,
    registeredAt,
    ...(cpf ? { cpf } : {}),
    ...(phone ? { phone } : {}),
    ...(note ? { note } : {}),
  };
}
