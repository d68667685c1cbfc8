import type { Express } from 'express';
import { createServiceApp, type ServiceAppOptions } from '@regflow/common/http';
import type { UsersIndex } from './data-access/users-index';
import { usersRoutes } from './entry-points/users.http';

export interface AppDeps extends ServiceAppOptions {
  index: UsersIndex;
  confirmationTtlHours: number;
}

/** The search API: GET /users/search and GET /users/{id}, answered from the users index. */
export function createApp(deps: AppDeps): Express {
  const openapi = {
    title: 'regflow search API (orchestrator)',
    description:
      'The search index, read-only: the admin API and the access API ask it for registrations. Not public: it has no authentication of its own and belongs behind the network boundary (docs/security.md). Errors are application/problem+json (RFC 9457).',
  };
  return createServiceApp({ ...deps, openapi }, (app) => {
    app.use(usersRoutes(deps.index, deps.confirmationTtlHours));
  });
}
