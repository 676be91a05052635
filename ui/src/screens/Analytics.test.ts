// The Analytics screen with the backend replaced at the one IPC module: the role gate and the
// query it sends.
import { describe, expect, it, vi, afterEach } from 'vitest';
import { flushSync, tick } from 'svelte';
import { render, screen, cleanup } from '@testing-library/svelte';

const backend = vi.hoisted(() => ({
  role: 'agent',
  queries: [] as unknown[],
  /** While set, the analytics answer waits for it. */
  gate: null as Promise<void> | null,
}));

vi.mock('../lib/ipc', async () => {
  class BackendError extends Error {
    code = 'internal';
  }
  return {
    BackendError,
    inDesktopApp: () => false,
    boot: () => null,
    on: async () => () => {},
    call: async (cmd: string, args?: unknown) => {
      if (cmd === 'analytics') {
        backend.queries.push(args);
        if (backend.gate) await backend.gate;
        return { role: backend.role, allowed: backend.role !== 'agent', dashboard: null };
      }
      throw new Error(`unexpected ${cmd}`);
    },
  };
});

const { default: Analytics } = await import('./Analytics.svelte');
const { inbox } = await import('../lib/inbox.svelte');
const { applyLocale } = await import('../lib/i18n.svelte');
const { analytics } = await import('../lib/analytics.svelte');

afterEach(cleanup);

describe('the Analytics screen', () => {
  it('tells agents that analytics is for supervisors and admins', async () => {
    applyLocale('en');
    inbox.status = { state: 'online', account: 'omar@noor.demo', lastSyncAt: 1, error: null, applied: 0, total: null, erased: null };
    render(Analytics);
    const gate = await screen.findByTestId('analytics-gate');
    expect(gate.textContent).toContain('Analytics is for supervisors and admins');
    expect(screen.queryByTestId('figure-opened')).toBeNull();
    expect(backend.queries[0]).toMatchObject({ range: { kind: 'last7' }, targets: { firstResponseMinutes: 15 } });
  });

  it('asks for nothing before anyone is signed in', async () => {
    backend.queries = [];
    inbox.status = { state: 'signed_out', account: null, lastSyncAt: null, error: null, applied: 0, total: null, erased: null };
    const { container } = render(Analytics);
    expect(container.querySelector('[data-testid="analytics-gate"]')).toBeNull();
    expect(backend.queries).toEqual([]);
  });

  it('shows the dashboard although syncs keep coming while it loads', async () => {
    backend.queries = [];
    backend.role = 'agent';
    let open = () => {};
    backend.gate = new Promise((resolve) => (open = resolve));
    const status = (at: number) => ({ state: 'online' as const, account: 'omar@noor.demo', lastSyncAt: at, error: null, applied: 0, total: null, erased: null });
    inbox.status = status(1);
    analytics.view = null;
    render(Analytics);
    flushSync();
    await tick();
    // Live syncs during the first load: none of them starts it again (and drops its answer).
    for (const at of [2, 3, 4, 5]) {
      inbox.status = status(at);
      flushSync();
      await tick();
    }
    expect(backend.queries).toHaveLength(1);
    backend.gate = null;
    open();
    expect(await screen.findByTestId('analytics-gate')).toBeTruthy();
    // Then one load catches up with the syncs that came meanwhile.
    await vi.waitFor(() => expect(backend.queries).toHaveLength(2));
  });
});
