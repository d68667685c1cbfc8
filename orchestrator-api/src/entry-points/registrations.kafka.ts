import { TOPICS, registrationTopicEventSchema } from '@regflow/common';
import { parseRecord, runConsumer, type ListenerOptions, type RunningConsumer } from '@regflow/common/kafka';
import { confirmRegistration, forwardRegistration, type ForwardRegistrationDeps } from '../domain/forward-registration';

/**
 * `user.registration.requested.v1`, at least once, dispatched by event type: a registration →
 * forwardRegistration; an email confirmation → confirmRegistration; a request for the confirmation
 * email again is consumer-mq's (nothing to do here). A record's offset is committed only after its
 * use case resolved. A record that is not one of the topic's contracts (an unknown type too) is
 * dead-lettered at once; a failure is retried with backoff and dead-lettered after the configured
 * attempts.
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
      const event = parseRecord(registrationTopicEventSchema, record);
      switch (event.type) {
        case 'UserRegistrationRequested':
          await forwardRegistration(event, deps);
          return;
        case 'UserEmailConfirmed':
          await confirmRegistration(event, deps);
          return;
        case 'ConfirmationEmailRequested':
          return;
      }
    },
  });
}
