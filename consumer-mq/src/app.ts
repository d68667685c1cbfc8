import cookieParser from 'cookie-parser';
import type { Express } from 'express';
import { createServiceApp, type ServiceAppOptions } from '@regflow/common/http';
import type { EventPublisher } from '@regflow/common/kafka';
import type { StompSession } from '@regflow/common/stomp';
import type { AdminEventBus } from './data-access/admin-events';
import type { AdminsRepository } from './data-access/admins-repository';
import type { AuditLog } from './data-access/audit-log';
import type { EmailTemplates } from './data-access/email-templates';
import type { Mailer } from './data-access/mailer';
import { accountsRoutes } from './entry-points/accounts.http';
import { auditRoutes } from './entry-points/audit.http';

/** How long an invitation or password-reset link works. */
export const ACCOUNT_LINK_HOURS = 72;
import type { DeadLettersRepository } from './data-access/dead-letters-repository';
import type { DecisionsRepository } from './data-access/decisions-repository';
import type { NotesRepository } from './data-access/notes-repository';
import type { ReasonsRepository } from './data-access/reasons-repository';
import type { SearchClient } from './data-access/search-client';
import type { SessionStore, SignInThrottle } from './data-access/session-store';
import type { StagingStore } from './data-access/staging-store';
import { adminRoutes } from './entry-points/admin.http';
import { securitySchemes } from './entry-points/auth';
import { consoleCors } from './entry-points/cors';
import { notesRoutes } from './entry-points/notes.http';
import { reasonsRoutes } from './entry-points/reasons.http';
import { operationsRoutes } from './entry-points/operations.http';
import { sessionRoutes } from './entry-points/session.http';
import type { OutboxRelay } from './workers/outbox-relay.worker';
import type { ReconcileWorker } from './workers/reconcile.worker';

export interface AppDeps extends ServiceAppOptions {
  consoleOrigin: string;
  sessionAbsoluteSeconds: number;
  admins: AdminsRepository;
  audit: AuditLog;
  /** For the invitation and password-reset emails. */
  templates: EmailTemplates;
  mailer: Mailer;
  tokenSecret: string;
  sessions: SessionStore;
  throttle: SignInThrottle;
  store: StagingStore;
  decisions: DecisionsRepository;
  deadLetters: DeadLettersRepository;
  search: SearchClient;
  events: AdminEventBus;
  notes: NotesRepository;
  reasons: ReasonsRepository;
  publisher: EventPublisher;
  stomp: StompSession;
  relay: OutboxRelay;
  reconciler: ReconcileWorker;
}

/**
 * The admin API the console talks to: sessions, the pending queue, decisions, search, live events, and
 * the operators' tools (dead letters, reconciliation). Answers cross-origin only to the console.
 */
export function createApp(deps: AppDeps): Express {
  const openapi = {
    title: 'regflow admin API',
    description:
      "The review console's API (consumer-mq): sessions, the review queue, decisions, search, live events, and the operators' tools. Sign in with POST /admin/session; state-changing requests send the session's CSRF token as x-csrf-token. Errors are application/problem+json (RFC 9457) with a stable `code`; validation errors name each bad field in `errors`.",
    securitySchemes,
  };
  return createServiceApp({ ...deps, before: [consoleCors(deps.consoleOrigin)], openapi }, (app) => {
    app.use(cookieParser());
    app.use(sessionRoutes({ ...deps, absoluteSeconds: deps.sessionAbsoluteSeconds }));
    app.use(operationsRoutes(deps));
    app.use(accountsRoutes({ ...deps, linkHours: ACCOUNT_LINK_HOURS }));
    app.use(auditRoutes(deps));
    // Before adminRoutes, whose session check covers every /admin path (each checks its own).
    app.use(notesRoutes(deps));
    app.use(reasonsRoutes(deps));
    app.use(adminRoutes(deps));
  });
}
