import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { createLogger, randomCpf } from '@regflow/common';
import { ClaimsIndex } from '../../src/data-access/claims-index';
import { UsersIndex } from '../../src/data-access/users-index';
import { eraseFromIndex } from '../../src/domain/erase-from-index';
import { registrationIdentities, type UserDocument } from '../../src/domain/user-document';

/** Erasing a registration from both indices on the real Elasticsearch, in indices of their own. */
const logger = createLogger('erase-from-index-test', 'silent');

describe('erasing a registration from the search indices', () => {
  let es: Client;
  let deps: { users: UsersIndex; claims: ClaimsIndex; logger: typeof logger };
  const usersIndex = `test-users-erase-${randomUUID()}`;
  const claimsIndex = `test-claims-erase-${randomUUID()}`;

  beforeAll(async () => {
    es = new Client({ node: inject('stackEnv').ELASTICSEARCH_URL });
    deps = {
      users: new UsersIndex(es, logger, usersIndex),
      claims: new ClaimsIndex(es, undefined, claimsIndex),
      logger,
    };
    await deps.users.ensureIndex();
    await deps.claims.ensureIndex();
  });

  afterAll(async () => {
    await es.indices.delete({ index: [usersIndex, claimsIndex] }, { ignore: [404] });
    await es.close();
  });

  function doc(overrides: Partial<UserDocument> = {}): UserDocument {
    const now = new Date().toISOString();
    return {
      id: randomUUID(),
      name: 'Erased Person',
      email: `erased.${randomUUID()}@example.com`,
      cpf: randomCpf(),
      status: 'approved',
      registeredAt: now,
      indexedAt: now,
      ...overrides,
    };
  }

  const claimOf = async (identity: string) =>
    (await es.get<{ userId: string }>({ index: claimsIndex, id: identity }, { ignore: [404] }))._source?.userId;

  it('when a registration holding its email and CPF is erased, then its document and both claims are gone, a duplicate of it keeps its own document, and erasing again finds nothing', async () => {
    const person = doc();
    const duplicate = doc({ email: person.email, cpf: person.cpf, status: 'duplicate', duplicateOf: person.id });
    await deps.users.createOrGet(person);
    await deps.users.createOrGet(duplicate);
    for (const identity of registrationIdentities(person)) await deps.claims.claim(identity, person.id);
    for (const identity of registrationIdentities(person)) expect(await claimOf(identity)).toBe(person.id);

    expect(await eraseFromIndex(person.id, 'c-1', deps)).toBe('erased');

    expect(await deps.users.get(person.id)).toBeNull();
    for (const identity of registrationIdentities(person)) expect(await claimOf(identity)).toBeUndefined();
    expect((await deps.users.get(duplicate.id))?.status).toBe('duplicate');
    expect(await eraseFromIndex(person.id, 'c-2', deps)).toBe('not-indexed');
  });

  it('when the erased registration does not hold its email (someone else does), then that claim is left to its holder', async () => {
    const holder = doc();
    const erased = doc({ email: holder.email, status: 'rejected' });
    await deps.users.createOrGet(erased);
    await deps.claims.claim(`email:${holder.email}`, holder.id);

    expect(await eraseFromIndex(erased.id, null, deps)).toBe('erased');

    expect(await claimOf(`email:${holder.email}`)).toBe(holder.id);
    expect(await deps.users.get(erased.id)).toBeNull();
  });
});
