import { lazy } from 'react';

export { applyDecisionToRegistration, registrationQueryKey } from './api/get-registration';

/** Loaded on the first visit to a registration, so it stays out of the entry chunk. */
export const RegistrationPage = lazy(() =>
  import('./components/registration-page').then((m) => ({ default: m.RegistrationPage })),
);
