import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { deferred, json, makePendingUsers, signedInApi } from '@/testing/fake-api';
import { FakeEventSource } from '@/testing/fake-event-source';
import { renderApp } from '@/testing/render-app';

beforeEach(() => {
  FakeEventSource.install();
});

const names = (list: HTMLElement) =>
  within(list)
    .queryAllByRole('listitem')
    .map((li) => li.querySelector('.row-name')?.textContent);

async function liveQueue() {
  const setup = signedInApi({
    pending: makePendingUsers(3),
    stats: { pending: 3, approvedToday: 0, rejectedToday: 0 },
  });
  const app = renderApp('/');
  const list = await screen.findByRole('list', { name: 'Pending registrations' });
  await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
  const source = FakeEventSource.latest();
  await act(async () => source.open());
  // Opening may trigger a catch-up refetch; let it land so it cannot overwrite the events under test.
  await waitFor(() => expect(app.queryClient.isFetching()).toBe(0));
  return { ...setup, ...app, list, source };
}

describe('live updates', () => {
  it('when the stream opens, then it uses the same-origin admin events endpoint and the header says Live', async () => {
    const { source } = await liveQueue();
    expect(source.url).toBe('/api/admin/events');
    expect(screen.getByText('Live')).toBeInTheDocument();
  });

  it('when a registration is staged, then it is appended to the queue without a reload', async () => {
    const { source, list, api, state } = await liveQueue();
    const newcomers = makePendingUsers(1, 99);
    const [newcomer] = newcomers;
    const pendingCalls = api.callsTo('GET', '/admin/pending').length;

    state.pending.push(...newcomers);
    await act(async () => source.emit('registration.staged', newcomer));

    // Query caches notify on a timer tick, hence waitFor rather than a synchronous expect.
    await waitFor(() => expect(names(list)).toEqual(['Person 0', 'Person 1', 'Person 2', 'Person 99']));
    expect(screen.getByText('4 registrations waiting · oldest first')).toBeInTheDocument();
    expect(api.callsTo('GET', '/admin/pending')).toHaveLength(pendingCalls);
  });

  it('when the same staging event arrives twice, then the row is not duplicated', async () => {
    const { source, list, state } = await liveQueue();
    const newcomers = makePendingUsers(1, 42);
    const [newcomer] = newcomers;
    state.pending.push(...newcomers);
    await act(async () => {
      source.emit('registration.staged', newcomer);
      source.emit('registration.staged', newcomer);
    });
    await waitFor(() => expect(names(list)).toContain('Person 42'));
    expect(names(list).filter((n) => n === 'Person 42')).toHaveLength(1);
  });

  it('when another reviewer decides a registration, then it leaves the queue', async () => {
    const { source, list, state } = await liveQueue();
    state.pending = state.pending.filter((u) => u.id !== 'user-00001');
    await act(async () =>
      source.emit('registration.decided', {
        id: 'user-00001',
        outcome: 'rejected',
        decidedBy: 'carol@regflow.test',
        decidedAt: new Date().toISOString(),
        reason: 'Spam',
      }),
    );
    await waitFor(() => expect(names(list)).toEqual(['Person 0', 'Person 2']));
  });

  it('when counts change, then the header shows the new numbers', async () => {
    const { source } = await liveQueue();
    const counts = screen.getByRole('list', { name: 'Review counts' });
    expect(counts).toHaveTextContent(/Pending 3\s*Approved today 0\s*Rejected today 0/);

    await act(async () => source.emit('stats', { pending: 12, approvedToday: 7, rejectedToday: 2 }));

    await waitFor(() => expect(counts).toHaveTextContent(/Pending 12\s*Approved today 7\s*Rejected today 2/));
  });

  it('when an event is malformed, then it is ignored and the queue is untouched', async () => {
    const { source, list, state } = await liveQueue();
    const valids = makePendingUsers(1, 7);
    const [valid] = valids;
    state.pending.push(...valids);
    await act(async () => {
      source.emit('registration.staged', { id: 'x' });
      source.emit('registration.staged', valid);
    });
    // The valid event after it still lands, so the stream survived the bad one.
    await waitFor(() => expect(names(list)).toEqual(['Person 0', 'Person 1', 'Person 2', 'Person 7']));
  });

  it('when someone else decides a row while my approval is in flight, then my 409 still shows who decided', async () => {
    const { source, list, api, user } = await liveQueue();
    const answer = deferred<Response>();
    api.on('POST', '/admin/users/user-00000/approve', () => answer.promise);

    await user.click(screen.getByRole('button', { name: 'Approve Person 0' }));
    await act(async () =>
      source.emit('registration.decided', {
        id: 'user-00000',
        outcome: 'approved',
        decidedBy: 'dave@regflow.test',
        decidedAt: '2025-11-20T12:30:00.000Z',
      }),
    );
    answer.resolve(
      json(409, {
        title: 'Already decided',
        status: 409,
        code: 'REGISTRATION.ALREADY_DECIDED',
        outcome: 'approved',
        decidedBy: 'dave@regflow.test',
        decidedAt: '2025-11-20T12:30:00.000Z',
      }),
    );

    await waitFor(() => expect(names(list)[0]).toBe('Person 0'));
    expect(within(list).getAllByRole('listitem')[0]).toHaveTextContent(/Already approved by dave@regflow\.test/);
  });

  it('when the stream drops and comes back, then the queue and counts are refetched to catch up', async () => {
    const { source, api } = await liveQueue();
    const before = {
      pending: api.callsTo('GET', '/admin/pending').length,
      stats: api.callsTo('GET', '/admin/stats').length,
    };

    await act(async () => source.interrupt());
    expect(screen.getByText('Reconnecting…')).toBeInTheDocument();
    await act(async () => source.open());

    await waitFor(() => expect(api.callsTo('GET', '/admin/pending').length).toBeGreaterThan(before.pending));
    await waitFor(() => expect(api.callsTo('GET', '/admin/stats').length).toBeGreaterThan(before.stats));
    expect(screen.getByText('Live')).toBeInTheDocument();
  });
});

describe('header count and queue total', () => {
  const pendingInHeader = () =>
    screen.getByRole('list', { name: 'Review counts' }).querySelector('.stat-pending .stat-value')?.textContent;
  const waiting = () => screen.getByText(/registrations? waiting/).textContent;

  it('when a registration is staged, then the header and the queue both count it', async () => {
    const { source, state, queryClient } = await liveQueue();
    const newcomers = makePendingUsers(1, 50);
    state.pending.push(...newcomers);

    await act(async () => source.emit('registration.staged', newcomers[0]));

    await waitFor(() => expect(waiting()).toBe('4 registrations waiting · oldest first'));
    expect(pendingInHeader()).toBe('4');
    await waitFor(() => expect(queryClient.isFetching()).toBe(0));
    expect(pendingInHeader()).toBe('4');
    expect(waiting()).toBe('4 registrations waiting · oldest first');
  });

  it('when events arrive while the catch-up requests are on their way with older answers, then after they land the header and the queue agree with the server', async () => {
    const { source, list, api, state, queryClient } = await liveQueue();
    // The reconnect refetches both; the server answers them before the events below, they arrive after.
    const held = [api.holdNext('GET', '/admin/stats'), api.holdNext('GET', '/admin/pending')];
    await act(async () => {
      source.interrupt();
      source.open();
    });
    await waitFor(() => expect(held.every((hold) => hold.requested)).toBe(true));

    const newcomers = makePendingUsers(2, 60);
    state.pending.push(...newcomers);
    state.pending = state.pending.filter((u) => u.id !== 'user-00001');
    state.stats = { ...state.stats, approvedToday: 1 };
    await act(async () => {
      for (const user of newcomers) source.emit('registration.staged', user);
      source.emit('registration.decided', {
        id: 'user-00001',
        outcome: 'approved',
        decidedBy: 'carol@regflow.test',
        decidedAt: new Date().toISOString(),
      });
    });
    await act(async () => {
      for (const hold of held) hold.release();
    });

    await waitFor(() => expect(queryClient.isFetching()).toBe(0));
    await waitFor(() => expect(names(list)).toEqual(['Person 0', 'Person 2', 'Person 60', 'Person 61']));
    expect(pendingInHeader()).toBe('4');
    expect(waiting()).toBe('4 registrations waiting · oldest first');
    expect(screen.getByRole('list', { name: 'Review counts' })).toHaveTextContent(/Approved today 1/);
  });
});
