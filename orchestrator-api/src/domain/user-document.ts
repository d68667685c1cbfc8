import type { Registration, RegistrationStatus } from '@regflow/common';

/** A registration as the search index holds it: what was accepted, its status, and how it got there. */
export interface UserDocument extends Registration {
  status: RegistrationStatus;
  indexedAt: string;
  decidedAt?: string;
  decidedBy?: string;
  reason?: string;
  /** For a duplicate: the live registration that holds the email or CPF. */
  duplicateOf?: string;
}
