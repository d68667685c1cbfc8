import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { makePendingUsers, problem, signedInApi } from '@/testing/fake-api';
import { FakeEventSource } from '@/testing/fake-event-source';
import { renderApp } from '@/testing/render-app';

beforeEach(() => {
  FakeEventSource.install();
});

describe('signing in', () => {
  it('when signed out, then any page shows only sign-in, and signing in returns to that page', async () => {
    const { state, api } = signedInApi();
    state.signedIn = false;
    api.on('GET', '/admin/users/user-00042', () => problem(404, 'REGISTRATION.NOT_FOUND', 'Registration not found'));
    const { user } = renderApp('/users/user-00042?tab=timeline');

    expect(await screen.findByRole('heading', { name: 'Sign in to review registrations' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/login');
    expect(new URLSearchParams(window.location.search).get('next')).toBe('/users/user-00042?tab=timeline');
    expect(screen.queryByRole('banner')).not.toBeInTheDocument();

    await user.type(screen.getByLabelText('Email'), 'reviewer@regflow.test');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() =>
      expect(window.location.pathname + window.location.search).toBe('/users/user-00042?tab=timeline'),
    );
    expect(await screen.findByText('No registration with this id')).toBeInTheDocument();
  });

  it('when the password is wrong, then the form says so and stays on sign-in', async () => {
    const { state } = signedInApi();
    state.signedIn = false;
    const { user } = renderApp('/login');

    await user.type(await screen.findByLabelText('Email'), 'reviewer@regflow.test');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('That email and password do not match an admin account.')).toHaveAttribute(
      'role',
      'alert',
    );
    expect(window.location.pathname).toBe('/login');
  });

  it('when sign-in is throttled, then the reviewer learns how long to wait', async () => {
    const { state, api } = signedInApi();
    state.signedIn = false;
    api.on(
      'POST',
      '/admin/session',
      () =>
        new Response(JSON.stringify({ title: 'Too many attempts', status: 429, code: 'AUTH.THROTTLED' }), {
          status: 429,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '30' },
        }),
    );
    const { user } = renderApp('/login');
    await user.type(await screen.findByLabelText('Email'), 'a@b.c');
    await user.type(screen.getByLabelText('Password'), 'x');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Too many attempts. Try again in 30 seconds.')).toHaveAttribute('role', 'alert');
  });

  it('when the session expires while rejecting, then after signing in the dialog comes back with the typed reason', async () => {
    const { state, api } = signedInApi({ pending: makePendingUsers(3) });
    api.on('POST', '/admin/users/user-00000/reject', () => {
      state.signedIn = false;
      return problem(401, 'AUTH.UNAUTHENTICATED', 'Session expired');
    });
    const { user } = renderApp('/');
    await screen.findByRole('list', { name: 'Pending registrations' });

    await user.keyboard('r');
    const dialog = await screen.findByRole('dialog', { name: 'Reject Person 0' });
    await user.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'CPF does not match the name');
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));

    expect(await screen.findByRole('heading', { name: 'Sign in to review registrations' })).toBeInTheDocument();

    await user.type(screen.getByLabelText('Email'), 'reviewer@regflow.test');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const restored = await screen.findByRole('dialog', { name: 'Reject Person 0' });
    expect(within(restored).getByRole('textbox', { name: /Reason/ })).toHaveValue('CPF does not match the name');
    expect(window.location.pathname).toBe('/');
  });

  it('when signing out, then the session ends and the sign-in page shows', async () => {
    const { api } = signedInApi();
    const { user } = renderApp('/');
    await screen.findByRole('list', { name: 'Pending registrations' });

    await user.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('heading', { name: 'Sign in to review registrations' })).toBeInTheDocument();
    expect(api.callsTo('DELETE', '/admin/session')[0]?.headers['x-csrf-token']).toBe('csrf-1');
  });
});
