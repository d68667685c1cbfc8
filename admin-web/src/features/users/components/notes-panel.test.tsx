import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, json, problem, signedInApi } from '@/testing/fake-api';
import { FakeEventSource } from '@/testing/fake-event-source';
import { renderApp } from '@/testing/render-app';

beforeEach(() => {
  FakeEventSource.install();
});

const mine = { id: 'n-1', author: ADMIN, body: 'Called the applicant.', createdAt: '2025-11-20T09:00:01.000Z' };
const theirs = { id: 'n-2', author: 'carol@regflow.test', body: 'CPF checked.', createdAt: '2025-11-20T09:05:00.000Z' };
const detail = (notes: unknown[]) => ({
  registration: {
    id: 'user-7',
    name: 'Joana Prado',
    email: 'joana@example.com',
    registeredAt: '2025-11-20T09:00:00.000Z',
  },
  status: 'pending',
  timeline: { receivedAt: '2025-11-20T09:00:00.000Z', stagedAt: '2025-11-20T09:00:02.000Z' },
  notes,
});

describe('notes on a registration', () => {
  it('when there are notes, then each shows who and when, among the timeline steps by time, and only my own has Edit', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/users/user-7', () => json(200, detail([mine, { ...theirs, editedAt: theirs.createdAt }])));
    renderApp('/users/user-7');

    const list = await screen.findByRole('list', { name: 'Notes' });
    const [first, second] = within(list).getAllByRole('listitem');
    expect(first).toHaveTextContent(`${ADMIN}`);
    expect(within(first!).getByRole('button', { name: 'Edit' })).toBeInTheDocument();
    expect(second).toHaveTextContent('carol@regflow.test');
    expect(second).toHaveTextContent('(edited)');
    expect(within(second!).queryByRole('button', { name: 'Edit' })).not.toBeInTheDocument();

    const steps = within(screen.getByRole('region', { name: 'Timeline' })).getAllByRole('listitem');
    expect(steps.map((s) => s.querySelector('strong')?.textContent)).toEqual([
      'Received',
      `Note by ${ADMIN}`,
      'Staged',
      'Note by carol@regflow.test',
      'Indexed',
      'Queued',
      'Decision',
    ]);
  });

  it('when I add a note, then it is sent, shown at once, and the form is emptied', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/users/user-7', () => json(200, detail([])));
    api.on('POST', '/admin/users/user-7/notes', (req) =>
      json(201, {
        id: 'n-9',
        author: ADMIN,
        body: (req.body as { body: string }).body,
        createdAt: '2025-11-20T10:00:00.000Z',
      }),
    );
    const { user } = renderApp('/users/user-7');

    expect(await screen.findByText('No notes yet.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('New note'), '  Looks fine.  ');
    await user.click(screen.getByRole('button', { name: 'Add note' }));

    const list = await screen.findByRole('list', { name: 'Notes' });
    expect(within(list).getByText('Looks fine.')).toBeInTheDocument();
    expect(api.callsTo('POST', '/admin/users/user-7/notes').map((c) => c.body)).toEqual([{ body: 'Looks fine.' }]);
    expect(screen.getByLabelText('New note')).toHaveValue('');
  });

  it('when I edit my note and the server refuses, then the refusal is shown and the form stays open', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/users/user-7', () => json(200, detail([mine])));
    api.on('PATCH', '/admin/users/user-7/notes/n-1', () =>
      problem(403, 'NOTE.NOT_AUTHOR', 'Only the author of a note can edit it'),
    );
    const { user } = renderApp('/users/user-7');

    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const box = screen.getByLabelText('Edit note');
    await user.clear(box);
    await user.type(box, 'Changed.');
    await user.click(screen.getByRole('button', { name: 'Save note' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Only the author of a note can edit it');
    expect(screen.getByLabelText('Edit note')).toHaveValue('Changed.');
    expect(api.callsTo('PATCH', '/admin/users/user-7/notes/n-1').map((c) => c.body)).toEqual([{ body: 'Changed.' }]);
  });
});
