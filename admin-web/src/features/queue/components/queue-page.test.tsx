import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { deferred, json, makePendingUsers, problem, signedInApi } from '@/testing/fake-api';
import { FakeEventSource } from '@/testing/fake-event-source';
import { renderApp } from '@/testing/render-app';

beforeEach(() => {
  FakeEventSource.install();
});

async function openQueue() {
  const setup = signedInApi({ pending: makePendingUsers(5) });
  const app = renderApp('/');
  const list = await screen.findByRole('list', { name: 'Pending registrations' });
  return { ...setup, ...app, list };
}

const rowNames = (list: HTMLElement) =>
  within(list)
    .getAllByRole('listitem')
    .map((li) => li.querySelector('.row-name')?.textContent);

const checkbox = (name: string) => screen.getByRole('checkbox', { name: `Select ${name}` });
const activeRowName = (list: HTMLElement) => list.querySelector('[aria-current="true"] .row-name')?.textContent;

describe('review queue', () => {
  it('when the queue loads, then each row shows who signed up, formatted CPF and phone, the note and how long they waited, oldest first', async () => {
    const { list } = await openQueue();

    expect(rowNames(list)).toEqual(['Person 0', 'Person 1', 'Person 2', 'Person 3', 'Person 4']);
    const first = within(list).getAllByRole('listitem')[0] as HTMLElement;
    expect(first).toHaveTextContent('person0@example.com');
    expect(first).toHaveTextContent('123.456.789-00');
    expect(first).toHaveTextContent('+55 (11) 98765-0000');
    expect(first).toHaveTextContent('Note for person 0');
    expect(first).toHaveTextContent(/waited \d+ d/);
    expect(first).toHaveAttribute('aria-setsize', '5');
    expect(screen.getByText('5 registrations waiting · oldest first')).toBeInTheDocument();
  });

  it('when shift-clicking a second checkbox, then every row between the two is selected', async () => {
    const { user } = await openQueue();

    await user.click(checkbox('Person 1'));
    await user.keyboard('{Shift>}');
    await user.click(checkbox('Person 3'));
    await user.keyboard('{/Shift}');

    expect(checkbox('Person 0')).not.toBeChecked();
    expect(checkbox('Person 1')).toBeChecked();
    expect(checkbox('Person 2')).toBeChecked();
    expect(checkbox('Person 3')).toBeChecked();
    expect(checkbox('Person 4')).not.toBeChecked();
    expect(screen.getByRole('button', { name: 'Approve 3 selected' })).toBeEnabled();
  });

  it('when "select all" is ticked, then every shown row is selected, and unticking clears them', async () => {
    const { user } = await openQueue();
    const selectAll = screen.getByRole('checkbox', { name: /Select all 5 shown/ });

    await user.click(selectAll);
    for (let i = 0; i < 5; i += 1) expect(checkbox(`Person ${i}`)).toBeChecked();
    expect(screen.getByText('5 selected')).toBeInTheDocument();

    await user.click(selectAll);
    expect(screen.getByRole('button', { name: 'Approve selected' })).toBeDisabled();
  });

  it('when pressing j, k and x, then the current row moves and toggles its selection', async () => {
    const { user, list } = await openQueue();
    expect(activeRowName(list)).toBe('Person 0');

    await user.keyboard('jj');
    expect(activeRowName(list)).toBe('Person 2');
    await user.keyboard('x');
    expect(checkbox('Person 2')).toBeChecked();
    await user.keyboard('k{ArrowDown}{ArrowDown}');
    expect(activeRowName(list)).toBe('Person 3');
    await user.keyboard('x');
    expect(screen.getByRole('button', { name: 'Approve 2 selected' })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.getByRole('button', { name: 'Approve selected' })).toBeDisabled();
  });

  it('when typing shortcut letters into the search box, then they are text, not shortcuts', async () => {
    const { user, api, list } = await openQueue();
    const search = screen.getByRole('searchbox', { name: /Search registrations/ });

    await user.click(search);
    await user.keyboard('jaxr?');

    expect(search).toHaveValue('jaxr?');
    expect(activeRowName(list)).toBe('Person 0');
    expect(checkbox('Person 0')).not.toBeChecked();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.callsTo('POST', /approve$/)).toHaveLength(0);
  });

  it('when pressing a, then the current row is approved and leaves the queue before the server answers', async () => {
    const { user, api, list } = await openQueue();
    const answer = deferred<Response>();
    api.on('POST', '/admin/users/user-00000/approve', () => answer.promise);

    await user.keyboard('a');

    await waitFor(() => expect(rowNames(list)).toEqual(['Person 1', 'Person 2', 'Person 3', 'Person 4']));
    expect(api.callsTo('POST', '/admin/users/user-00000/approve')[0]?.headers['x-csrf-token']).toBe('csrf-1');
    expect(screen.getByRole('list', { name: 'Review counts' })).toHaveTextContent(/Pending 4\s*Approved today 5/);

    answer.resolve(
      json(200, {
        id: 'user-00000',
        status: 'approved',
        decidedBy: 'reviewer@regflow.test',
        decidedAt: new Date().toISOString(),
      }),
    );
    expect(await screen.findByText('Approved Person 0.')).toBeInTheDocument();
    expect(rowNames(list)).not.toContain('Person 0');
    expect(activeRowName(list)).toBe('Person 1');
  });

  it('when the server answers 409, then the row comes back in place saying who decided it and when', async () => {
    const { user, api, list } = await openQueue();
    const answer = deferred<Response>();
    api.on('POST', '/admin/users/user-00002/approve', () => answer.promise);

    await user.click(screen.getByRole('button', { name: 'Approve Person 2' }));
    await waitFor(() => expect(rowNames(list)).not.toContain('Person 2'));

    answer.resolve(
      problem(409, 'REGISTRATION.ALREADY_DECIDED', 'Already decided', {
        outcome: 'approved',
        decidedBy: 'bob@regflow.test',
        decidedAt: '2025-11-20T10:05:00.000Z',
      }),
    );

    await waitFor(() => expect(rowNames(list)).toEqual(['Person 0', 'Person 1', 'Person 2', 'Person 3', 'Person 4']));
    const row = within(list).getAllByRole('listitem')[2] as HTMLElement;
    expect(row).toHaveTextContent(/Already approved by bob@regflow\.test at 20 Nov 2025, \d\d:05/);
    expect(within(row).queryByRole('button', { name: 'Approve Person 2' })).not.toBeInTheDocument();
    expect(screen.getByRole('alert', { name: '' })).toHaveTextContent(
      /Could not approve Person 2\. Already approved by bob@regflow\.test/,
    );

    await user.click(within(row).getByRole('button', { name: 'Dismiss Person 2' }));
    expect(rowNames(list)).toEqual(['Person 0', 'Person 1', 'Person 3', 'Person 4']);
  });

  it('when the server fails for another reason, then the row comes back with the error and can be retried', async () => {
    const { user, api, list } = await openQueue();
    api.on('POST', '/admin/users/user-00001/approve', () =>
      problem(503, 'SERVICE.UNAVAILABLE', 'Review store unavailable'),
    );

    await user.click(screen.getByRole('button', { name: 'Approve Person 1' }));

    const row = await waitFor(() => {
      const li = within(list).getAllByRole('listitem')[1] as HTMLElement;
      expect(li).toHaveTextContent('Could not approve: Review store unavailable.');
      return li;
    });
    expect(within(row).getByRole('button', { name: 'Approve Person 1' })).toBeEnabled();
  });

  it('when approving a selection and one is refused, then the others leave and the refused one returns with the reason', async () => {
    const { user, api, list } = await openQueue();
    api.on('POST', '/admin/decisions', (req) => {
      const body = req.body as { ids: string[]; outcome: string };
      return json(200, {
        results: body.ids.map((id) =>
          id === 'user-00002'
            ? {
                id,
                ok: false,
                error: {
                  status: 409,
                  code: 'REGISTRATION.ALREADY_DECIDED',
                  title: 'Already decided',
                  outcome: 'rejected',
                  decidedBy: 'carol@regflow.test',
                  decidedAt: '2025-11-20T11:00:00.000Z',
                },
              }
            : { id, ok: true, status: body.outcome },
        ),
      });
    });

    await user.click(checkbox('Person 0'));
    await user.click(checkbox('Person 1'));
    await user.click(checkbox('Person 2'));
    await user.click(screen.getByRole('button', { name: 'Approve 3 selected' }));

    await waitFor(() => expect(rowNames(list)).toEqual(['Person 2', 'Person 3', 'Person 4']));
    expect(api.callsTo('POST', '/admin/decisions')[0]?.body).toEqual({
      ids: ['user-00000', 'user-00001', 'user-00002'],
      outcome: 'approved',
    });
    expect(within(list).getAllByRole('listitem')[0]).toHaveTextContent(/Already rejected by carol@regflow\.test/);
    expect(await screen.findByText('Approved 2 registrations.')).toBeInTheDocument();
  });

  it('when pressing r, then an accessible dialog asks for a reason, traps focus, and Esc closes it', async () => {
    const { user } = await openQueue();

    await user.keyboard('r');
    const dialog = await screen.findByRole('dialog', { name: 'Reject Person 0' });
    const reason = within(dialog).getByRole('textbox', { name: /Reason/ });
    expect(reason).toHaveFocus();

    const submit = within(dialog).getByRole('button', { name: 'Reject' });
    submit.focus();
    await user.tab();
    // Wraps to the dialog's first field, the catalogue reason.
    expect(within(dialog).getByRole('combobox', { name: /Catalogue reason/ })).toHaveFocus();
    await user.tab({ shift: true });
    expect(submit).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('when a reason is typed and confirmed, then the rejection is sent with it', async () => {
    const { user, api, list } = await openQueue();
    api.on('POST', '/admin/users/user-00001/reject', () =>
      json(200, {
        id: 'user-00001',
        status: 'rejected',
        decidedBy: 'reviewer@regflow.test',
        decidedAt: new Date().toISOString(),
      }),
    );

    await user.click(screen.getByRole('button', { name: 'Reject Person 1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject Person 1' });
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Email bounces');
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));

    await waitFor(() => expect(rowNames(list)).not.toContain('Person 1'));
    await waitFor(() =>
      expect(api.callsTo('POST', '/admin/users/user-00001/reject')[0]?.body).toEqual({ reason: 'Email bounces' }),
    );
    expect(await screen.findByText('Rejected Person 1.')).toBeInTheDocument();
  });

  it('when reviewing by keyboard only, then focus stays on the queue after each decision', async () => {
    const { user, api, list } = await openQueue();
    api.on('POST', /\/admin\/users\/[^/]+\/(approve|reject)$/, (req) =>
      json(200, {
        id: req.path.split('/')[3],
        status: 'approved',
        decidedBy: 'reviewer@regflow.test',
        decidedAt: new Date().toISOString(),
      }),
    );

    await user.keyboard('j');
    expect(document.activeElement).toHaveAttribute('data-row-id', 'user-00001');
    await user.keyboard('r');
    const dialog = await screen.findByRole('dialog', { name: 'Reject Person 1' });
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Fake name');
    await user.keyboard('{Control>}{Enter}{/Control}');

    await waitFor(() => expect(rowNames(list)).not.toContain('Person 1'));
    await waitFor(() => expect(document.activeElement).toHaveAttribute('data-row-id', 'user-00002'));

    await user.keyboard('a');
    await waitFor(() => expect(rowNames(list)).toEqual(['Person 0', 'Person 3', 'Person 4']));
    await waitFor(() => expect(document.activeElement).toHaveAttribute('data-row-id', 'user-00003'));
    expect(api.callsTo('POST', '/admin/users/user-00001/reject')[0]?.body).toEqual({ reason: 'Fake name' });
  });

  it('when pressing / or ?, then search takes focus or the shortcut help opens', async () => {
    const { user } = await openQueue();

    await user.keyboard('/');
    expect(screen.getByRole('searchbox', { name: /Search registrations/ })).toHaveFocus();

    await user.click(document.body);
    await user.keyboard('?');
    expect(await screen.findByRole('dialog', { name: 'Keyboard shortcuts' })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('when the queue is empty, then it says so', async () => {
    signedInApi({ pending: [] });
    renderApp('/');
    expect(await screen.findByText('All caught up')).toBeInTheDocument();
  });

  it('when the queue cannot load, then an error with a retry is shown', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/pending', () => problem(500, 'INTERNAL', 'Internal error'));
    const { user } = renderApp('/');
    expect(await screen.findByText('The queue could not be loaded')).toBeInTheDocument();

    api.on('GET', '/admin/pending', () => json(200, { items: makePendingUsers(1), nextCursor: null, total: 1 }));
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('list', { name: 'Pending registrations' })).toBeInTheDocument();
  });

  it('when more pages exist, then they are fetched with the cursor as the reviewer nears the end', async () => {
    const { api } = signedInApi({ pending: makePendingUsers(30), pageSize: 10 });
    renderApp('/');
    await screen.findByRole('list', { name: 'Pending registrations' });
    await waitFor(() =>
      expect(api.callsTo('GET', '/admin/pending').map((c) => c.query.get('cursor'))).toEqual([null, '10', '20']),
    );
    await act(async () => {});
    expect(await screen.findByText('End of the queue · 30 registrations')).toBeInTheDocument();
  });
});
