import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { json, problem, signedInApi } from '@/testing/fake-api';
import { FakeEventSource } from '@/testing/fake-event-source';
import { renderApp } from '@/testing/render-app';

beforeEach(() => {
  FakeEventSource.install();
});

const detail = (overrides: Record<string, unknown> = {}) => ({
  registration: {
    id: 'user-7',
    name: 'Joana Prado',
    email: 'joana@example.com',
    cpf: '98765432100',
    phone: '+5521987654321',
    note: 'Works at the Rio office',
    registeredAt: '2025-11-20T09:00:00.000Z',
  },
  status: 'pending',
  timeline: {
    receivedAt: '2025-11-20T09:00:00.000Z',
    indexedAt: '2025-11-20T09:00:00.400Z',
    queuedAt: '2025-11-20T09:00:00.600Z',
    stagedAt: '2025-11-20T09:00:01.900Z',
  },
  ...overrides,
});

describe('registration detail', () => {
  it('when a registration was rejected, then the timeline shows every step, who decided, when and why, and whether the applicant was told why', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/users/user-7', () =>
      json(
        200,
        detail({
          status: 'rejected',
          timeline: { ...detail().timeline, decidedAt: '2025-11-20T09:30:00.000Z' },
          decision: {
            outcome: 'rejected',
            decidedBy: 'bob@regflow.test',
            decidedAt: '2025-11-20T09:30:00.000Z',
            reason: 'Duplicate account',
            reasonShared: true,
          },
        }),
      ),
    );
    renderApp('/users/user-7');

    expect(await screen.findByRole('heading', { name: 'Joana Prado', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('987.654.321-00')).toBeInTheDocument();
    expect(screen.getByText('+55 (21) 98765-4321')).toBeInTheDocument();
    const steps = within(screen.getByRole('region', { name: 'Timeline' })).getAllByRole('listitem');
    expect(steps.map((s) => s.querySelector('strong')?.textContent)).toEqual([
      'Received',
      'Indexed',
      'Queued',
      'Staged',
      'Rejected by bob@regflow.test',
    ]);
    expect(steps[1]).toHaveTextContent('+400 ms');
    expect(steps[4]).toHaveTextContent('Reason Duplicate account (shared with the applicant)');
    expect(screen.queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument();
  });

  it('when approving from the detail page loses the race, then it says who approved first and when', async () => {
    const { api } = signedInApi();
    let decided = false;
    api.on('GET', '/admin/users/user-7', () =>
      json(
        200,
        decided
          ? detail({
              status: 'approved',
              decision: { outcome: 'approved', decidedBy: 'carol@regflow.test', decidedAt: '2025-11-20T09:10:00.000Z' },
            })
          : detail(),
      ),
    );
    api.on('POST', '/admin/users/user-7/approve', () => {
      decided = true;
      return problem(409, 'REGISTRATION.ALREADY_DECIDED', 'Already decided', {
        outcome: 'approved',
        decidedBy: 'carol@regflow.test',
        decidedAt: '2025-11-20T09:10:00.000Z',
      });
    });
    const { user } = renderApp('/users/user-7');

    await user.click(await screen.findByRole('button', { name: 'Approve' }));

    await waitFor(() =>
      expect(
        within(screen.getByRole('main')).getByText(/Already approved by carol@regflow\.test at 20 Nov 2025, \d\d:10\./),
      ).toBeInTheDocument(),
    );
    expect(await screen.findByText('Approved by carol@regflow.test')).toBeInTheDocument();
  });

  it('when the rejection used a catalogue reason, then the timeline shows its label and text as decided, and whether the applicant read each part', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/users/user-7', () =>
      json(
        200,
        detail({
          status: 'rejected',
          decision: {
            outcome: 'rejected',
            decidedBy: 'bob@regflow.test',
            decidedAt: '2025-11-20T09:30:00.000Z',
            reason: 'Same CPF as another account',
            reasonShared: false,
            catalogueReason: {
              id: 'r-1',
              label: 'Duplicate account',
              text: 'You already have an account.',
              shared: true,
            },
          },
        }),
      ),
    );
    renderApp('/users/user-7');

    const step = (await screen.findByText('Rejected by bob@regflow.test')).closest('li')!;
    expect(step).toHaveTextContent('Duplicate account You already have an account. (shared with the applicant)');
    expect(step).toHaveTextContent('Reason Same CPF as another account (not shared with the applicant)');
  });

  it('when the id is unknown, then a not-found state is shown', async () => {
    const { api } = signedInApi();
    api.on('GET', '/admin/users/nope', () => problem(404, 'REGISTRATION.NOT_FOUND', 'Registration not found'));
    renderApp('/users/nope');
    expect(await screen.findByText('No registration with this id')).toBeInTheDocument();
  });
});
