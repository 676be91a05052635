// The inbox's state: how it starts and how list answers are applied, with the backend
// replaced at the one IPC module and answers released by the test, in any order.
import { describe, expect, it, vi } from 'vitest';
import type { InboxQuery, InboxRow } from './bindings';

type Pending = { cmd: string; args: unknown; resolve: (v: unknown) => void };
const backend = vi.hoisted(() => ({ pending: [] as Pending[] }));

vi.mock('./ipc', () => ({
  BackendError: class extends Error {},
  inDesktopApp: () => false,
  on: async () => () => {},
  call: (cmd: string, args?: unknown) => new Promise((resolve) => backend.pending.push({ cmd, args, resolve })),
}));

const { inbox, FIRST_ROWS } = await import('./inbox.svelte');

const rows = (n: number, tag = 'c'): InboxRow[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${tag}${i}` }) as unknown as InboxRow);

/** The oldest unanswered call to `cmd`, once it has been made. */
async function next(cmd: string): Promise<Pending> {
  await vi.waitFor(() => expect(backend.pending.some((p) => p.cmd === cmd)).toBe(true));
  const i = backend.pending.findIndex((p) => p.cmd === cmd);
  const [call] = backend.pending.splice(i, 1);
  if (!call) throw new Error(`no call to ${cmd}`);
  return call;
}

describe('inbox start', () => {
  it('waits for the first status, paints a screenful, then loads the whole list', async () => {
    const started = inbox.init();
    const status = await next('sync_status');
    expect(inbox.ready).toBe(false);
    status.resolve({ state: 'online', account: null, lastSyncAt: null, error: null, applied: 0, total: null });

    const first = await next('inbox_list');
    expect(inbox.ready).toBe(true);
    expect((first.args as InboxQuery).limit).toBe(FIRST_ROWS);
    first.resolve(rows(FIRST_ROWS));
    (await next('directory')).resolve(null);

    const all = await next('inbox_list');
    expect((all.args as InboxQuery).limit).toBeGreaterThan(10_000);
    await vi.waitFor(() => expect(inbox.rows.length).toBe(FIRST_ROWS));
    all.resolve(rows(12_000));
    await started;
    expect(inbox.rows.length).toBe(12_000);
  });

  it('shows the answer to the latest request even when an older one arrives after it', async () => {
    const older = inbox.refresh(FIRST_ROWS);
    const a = await next('inbox_list');
    const newer = inbox.refresh();
    const b = await next('inbox_list');
    b.resolve(rows(3, 'new'));
    await newer;
    a.resolve(rows(2, 'old'));
    await older;
    expect(inbox.rows.map((r) => r.id)).toEqual(['new0', 'new1', 'new2']);
  });
});
