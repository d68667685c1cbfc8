import { withCheckDigits } from '@regflow/common';

/**
 * Sign-up bodies for the load: each one a different person (email and CPF unique within the run and
 * across runs), so every registration takes the full path (claims, index, queue) and none ends as a
 * duplicate. With a CPF, as most Brazilian sign-ups have, the orchestrator claims two identities.
 */
const NAMES = [
  'Ana Souza',
  'Bruno Lima',
  'Carla Dias',
  'Davi Rocha',
  'Elisa Nunes',
  'Fábio Melo',
  'Gabi Reis',
  'Hugo Alves',
];

export class RegistrationFactory {
  private n = 0;
  /** Nine-digit CPF stems start from a per-run offset, so two runs never share a CPF. */
  private readonly stem0 = 100_000_000 + (Date.now() % 800_000_000);
  private readonly tag = Date.now().toString(36);

  next(): string {
    const i = this.n++;
    const name = NAMES[i % NAMES.length]!;
    return JSON.stringify({
      name,
      email: `bench.${this.tag}.${i}@example.com`,
      cpf: withCheckDigits(String((this.stem0 + i) % 1_000_000_000).padStart(9, '1')),
      note: 'load test',
    });
  }
}
