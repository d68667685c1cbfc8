import { TOPICS, userRegistrationRequestedSchema } from '@regflow/common';
import { parseRecord, runConsumer, type ListenerOptions, type RunningConsumer } from '@regflow/common/kafka';
import { forwardRegistration, type ForwardRegistrationDeps } from '../domain/forward-registration';

/**
 * `user.registration.requested.v1` → forwardRegistration, at least once: a record's offset is committed
 * only after the registration is indexed and queued. A record that is not the contract is dead-lettered
 * at once; a failure is retried with backoff and dead-lettered after the configured attempts.
 */
export function startRegistrationsListener(
  options: ListenerOptions,
  deps: ForwardRegistrationDeps,
): Promise<RunningConsumer> {
  return runConsumer({
    ...options,
    groupId: 'orchestrator-registrations',
    topics: [TOPICS.registrationRequested],
    handler: async (record) => {
      await forwardRegistration(parseRecord(userRegistrationRequestedSchema, record), deps);
    },
  });
}
