import { TOPICS, TransientError, userRegistrationDecidedSchema } from '@regflow/common';
import { parseRecord, runConsumer, type ListenerOptions, type RunningConsumer } from '@regflow/common/kafka';
import { applyDecision, type ApplyDecisionDeps } from '../domain/apply-decision';

/**
 * `user.registration.decided.v1` (from consumer-mq's outbox) → applyDecision. A record that is not the
 * contract is dead-lettered at once; a decision whose document is not in the index yet is retried, and
 * dead-lettered if it never appears.
 */
export function startDecisionsListener(options: ListenerOptions, deps: ApplyDecisionDeps): Promise<RunningConsumer> {
  return runConsumer({
    ...options,
    groupId: 'orchestrator-decisions',
    topics: [TOPICS.registrationDecided],
    handler: async (record) => {
      const event = parseRecord(userRegistrationDecidedSchema, record);
      if ((await applyDecision(event, deps)) === 'not-indexed')
        throw new TransientError(`user ${event.data.userId} is not in the search index`);
    },
  });
}
