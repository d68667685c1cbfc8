import { Client, errors } from '@elastic/elasticsearch';
import { startEsStandin, type EsStandin } from '../src/index';

export interface Harness {
  standin: EsStandin;
  client: Client;
  close(): Promise<void>;
}

/** A fresh stand-in on an ephemeral loopback port, driven through the official client. */
export async function startHarness(): Promise<Harness> {
  const standin = await startEsStandin({ port: 0 });
  const client = new Client({ node: standin.url, maxRetries: 0, requestTimeout: 5000 });
  return {
    standin,
    client,
    close: async () => {
      await client.close();
      await standin.close();
    },
  };
}

/** The users index as the orchestrator shapes it. */
export const USERS_MAPPINGS = {
  dynamic: 'strict' as const,
  properties: {
    id: { type: 'keyword' as const },
    name: { type: 'text' as const, fields: { keyword: { type: 'keyword' as const } } },
    email: { type: 'text' as const, fields: { keyword: { type: 'keyword' as const } } },
    status: { type: 'keyword' as const },
    note: { type: 'text' as const },
    registeredAt: { type: 'date' as const },
    decidedAt: { type: 'date' as const },
  },
};

/** Run `fn`, expecting the client to throw a ResponseError; hand it back for assertions. */
export async function expectResponseError(fn: () => Promise<unknown>): Promise<errors.ResponseError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof errors.ResponseError) return err;
    throw err;
  }
  throw new Error('expected the request to fail with a ResponseError, but it succeeded');
}
