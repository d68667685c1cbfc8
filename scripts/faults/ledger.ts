/** What the suite saw from the outside: every sign-up answer, every decision answer, every fault. */

export type Outcome = 'approved' | 'rejected';

export type SignUpKind = 'fresh' | 'repeat-email' | 'same-instant' | 'repeat-cpf' | 'invalid';

export interface SignUp {
  seq: number;
  kind: SignUpKind;
  /** Normalized (trimmed, lower case) as the access API stores it; absent for some invalid bodies. */
  email?: string;
  cpf?: string;
  startedAt: number;
  endedAt?: number;
  /** HTTP status, or 'error' (no connection / reset) or 'timeout'. */
  status?: number | 'error' | 'timeout';
  id?: string;
  /** For 'error': the transport error (e.g. ECONNREFUSED). */
  error?: string;
  /** For a 5xx: the problem's code (a 503 UNCONFIRMED may have been stored; DEPENDENCY.UNAVAILABLE says nothing was). */
  code?: string;
}

export type DecisionScenario = 'single' | 'twice' | 'both-replicas' | 'conflict' | 'final';

export interface DecisionAttempt {
  id: string;
  outcome: Outcome;
  replica: string;
  scenario: DecisionScenario;
  startedAt: number;
  endedAt: number;
  status: number | 'error' | 'timeout';
  /** From a 409: the outcome the winning decision had. */
  winnerOutcome?: string;
  /** For 'error': the transport error (e.g. ECONNREFUSED). */
  error?: string;
}

export type FaultKind =
  | 'kill:access-api'
  | 'kill:orchestrator-api-1'
  | 'kill:orchestrator-api-2'
  | 'kill:consumer-mq-1'
  | 'kill:consumer-mq-2'
  | 'restart:activemq'
  | 'restart:redis'
  | 'restart:postgres'
  | 'kafka:refuse'
  | 'kafka:blackhole'
  | 'kafka:freeze'
  | 'kafka:kill'
  | 'kafka:stop'
  | 'kafka:kill-node';

export interface FaultRecord {
  kind: FaultKind;
  /** Wall-clock ms (Date.now()) when it was injected and when the system part was back. */
  at: number;
  recoveredAt?: number;
  detail: string;
  error?: string;
}

/** A span during which no broker could acknowledge anything (unreachable, down or frozen). */
export interface KafkaOutage {
  kind: FaultKind;
  from: number;
  to: number;
}

/** The code of a fetch failure: undici wraps the socket error in `cause`. */
export function transportError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

export class Ledger {
  readonly signUps: SignUp[] = [];
  readonly decisions: DecisionAttempt[] = [];
  readonly faults: FaultRecord[] = [];
  readonly outages: KafkaOutage[] = [];
  /** Things that broke an expectation on the spot (e.g. two 200s for one registration). */
  readonly violations: string[] = [];

  acceptedIds(): string[] {
    return [...new Set(this.signUps.flatMap((s) => (s.status === 202 && s.id ? [s.id] : [])))];
  }

  signUpById(): Map<string, SignUp> {
    const map = new Map<string, SignUp>();
    for (const s of this.signUps) if (s.status === 202 && s.id) map.set(s.id, s);
    return map;
  }
}
