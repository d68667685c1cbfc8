import { AppError } from '@regflow/common';

/** The orchestrator owns the search index; the admin API reaches it over HTTP only. */
export class SearchClient {
  constructor(private readonly orchestratorUrl: string) {}

  private async call(path: string, correlationId: string): Promise<Response> {
    try {
      return await fetch(`${this.orchestratorUrl}${path}`, {
        headers: { accept: 'application/json', 'x-correlation-id': correlationId },
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      throw new AppError('DEPENDENCY.UNAVAILABLE', 503, 'Search is unavailable right now.', {}, { 'retry-after': '5' });
    }
  }

  async search(query: URLSearchParams, correlationId: string): Promise<{ status: number; body: unknown }> {
    const res = await this.call(`/users/search?${query.toString()}`, correlationId);
    return { status: res.status, body: await res.json() };
  }

  async get(id: string, correlationId: string): Promise<Record<string, unknown> | null> {
    const res = await this.call(`/users/${encodeURIComponent(id)}`, correlationId);
    if (res.status === 404) return null;
    if (!res.ok) throw new AppError('DEPENDENCY.UNAVAILABLE', 503, 'Search is unavailable right now.', {}, { 'retry-after': '5' });
    return (await res.json()) as Record<string, unknown>;
  }
}
