export { pendingQueryKey } from './api/get-pending';
export { appendToPending, isInPending, removeFromPending } from './api/pending-cache';
export { QueuePage } from './components/queue-page';
export { RegistrationDecision } from './components/registration-decision';
export { RowStateProvider, useRowStateStore, type RowStateStore } from './stores/row-state';
