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
  return createServiceApp(deps, (app) => {
    app.use(usersRoutes(deps.index, deps.confirmationTtlHours));
  });
}
