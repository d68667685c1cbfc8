import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pendingQueryKey, type PendingData } from '@/features/queue/api/get-pending';
import { makePendingUsers, signedInApi } from '@/testing/fake-api';
import { FakeEventSource } from '@/testing/fake-event-source';
import { createTestQueryClient, renderApp } from '@/testing/render-app';

const TOTAL = 10_000;

// jsdom has no layout, so scrollTop never changes; give it the browser's behaviour (store + scroll event).
const scrollTops = new WeakMap<Element, number>();
const original = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollTop');

beforeEach(() => {
  FakeEventSource.install();
  Object.defineProperty(HTMLElement.prototype, 'scrollTop', {
    configurable: true,
    get(this: HTMLElement) {
      return scrollTops.get(this) ?? 0;
    },
    set(this: HTMLElement, value: number) {
      scrollTops.set(this, value);
      this.dispatchEvent(new Event('scroll'));
    },
  });
});

afterEach(() => {
  delete (HTMLElement.prototype as { scrollTop?: number }).scrollTop;
  if (original) Object.defineProperty(Element.prototype, 'scrollTop', original);
});

describe('review queue with 10,000 pending', () => {
  it('when 10,000 registrations are loaded, then only a window of rows is in the DOM and rendering stays fast', async () => {
    const users = makePendingUsers(TOTAL);
    signedInApi({ pending: users });
    const queryClient = createTestQueryClient();
    // Worst case: every page already loaded (the reviewer scrolled through all of them).
    queryClient.setQueryData<PendingData>(pendingQueryKey, {
      pages: [{ items: users, nextCursor: null, total: TOTAL }],
      pageParams: [null],
    });

    const started = performance.now();
    const { user } = renderApp('/', queryClient);
    const list = await screen.findByRole('list', { name: 'Pending registrations' });
    const firstRenderMs = performance.now() - started;

    const rows = within(list).getAllByRole('listitem');
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]).toHaveAttribute('aria-setsize', String(TOTAL));

    const moves = 20;
    const moveStarted = performance.now();
    for (let i = 0; i < moves; i += 1) await user.keyboard('j');
    const perMoveMs = (performance.now() - moveStarted) / moves;
    expect(list.querySelector('[aria-current="true"] .row-name')?.textContent).toBe('Person 20');

    await act(async () => {
      FakeEventSource.latest().open();
    });
    // Opening the stream triggers a catch-up refetch of the queue; let it settle before timing an event.
    await waitFor(() => expect(queryClient.isFetching()).toBe(0));

    const liveStarted = performance.now();
    await act(async () => {
      FakeEventSource.latest().emit('registration.decided', {
        id: 'user-00000',
        outcome: 'approved',
        decidedBy: 'other@regflow.test',
        decidedAt: new Date().toISOString(),
      });
    });
    const liveUpdateMs = performance.now() - liveStarted;
    expect(screen.queryByRole('checkbox', { name: 'Select Person 0' })).not.toBeInTheDocument();

    console.info(
      `[perf] 10,000 pending (jsdom): first render ${firstRenderMs.toFixed(0)} ms, ` +
        `${within(list).getAllByRole('listitem').length} rows in DOM, j keypress ${perMoveMs.toFixed(1)} ms, ` +
        `live removal ${liveUpdateMs.toFixed(1)} ms`,
    );
    // Generous ceilings for a slow CI box running jsdom; a non-windowed list takes many seconds here.
    expect(firstRenderMs).toBeLessThan(3000);
    expect(perMoveMs).toBeLessThan(250);
  });
});
