// The one IPC module: answers the boot script asked for as the page began to load are handed
// to the page's first calls with the same arguments, once; every other call goes to the runtime.
import { afterEach, describe, expect, it, vi } from 'vitest';

const runtime = vi.hoisted(() => ({ calls: [] as { cmd: string; args: unknown }[] }));

vi.mock('@tauri-apps/api/core', () => ({
  isTauri: () => true,
  invoke: async (cmd: string, args: unknown) => {
    runtime.calls.push({ cmd, args });
    if (cmd === 'directory') throw { code: 'not_signed_in', message: 'no account' };
    return `fresh ${cmd}`;
  },
}));
vi.mock('@tauri-apps/api/event', () => ({ listen: async () => () => {} }));

afterEach(() => {
  delete (globalThis as { __STEPUP_BOOT__?: unknown }).__STEPUP_BOOT__;
  runtime.calls = [];
});

describe('calls', () => {
  it('take the answers asked for at boot in the first task, then ask the runtime', async () => {
    const failed = Promise.reject({ code: 'offline', message: 'the server is down' });
    failed.catch(() => undefined);
    (globalThis as { __STEPUP_BOOT__?: unknown }).__STEPUP_BOOT__ = {
      ask: [
        { cmd: 'sync_status', args: null, answer: Promise.resolve('early status') },
        { cmd: 'inbox_list', args: { view: 'all', sort: 'latest', offset: 0, limit: 80 }, answer: Promise.resolve('early rows') },
        { cmd: 'accounts', args: null, answer: failed },
      ],
    };
    const { call, BackendError } = await import('./ipc');
    // The same arguments built in another order and with unset fields: the early answer.
    const rows = call('inbox_list', { offset: 0, limit: 80, sort: 'latest', view: 'all', channel: undefined });
    const status = call('sync_status');
    // Other arguments: asked afresh.
    const other = call('inbox_list', { view: 'all', sort: 'latest', offset: 80, limit: 80 });
    // A failure asked at boot reaches its caller as a backend error.
    const accounts = call('accounts').catch((e: unknown) => e);
    // Taken once: a second call asks the runtime.
    const again = call('sync_status');
    expect(await rows).toBe('early rows');
    expect(await status).toBe('early status');
    expect(await other).toBe('fresh inbox_list');
    expect(await again).toBe('fresh sync_status');
    const err = await accounts;
    expect(err).toBeInstanceOf(BackendError);
    expect((err as InstanceType<typeof BackendError>).code).toBe('offline');
    expect(runtime.calls.map((c) => c.cmd)).toEqual(['inbox_list', 'sync_status']);

    // After the first task, an answer from boot would be stale: the runtime answers.
    await new Promise((r) => setTimeout(r, 0));
    (globalThis as { __STEPUP_BOOT__?: { ask: unknown[] } }).__STEPUP_BOOT__!.ask.push({
      cmd: 'directory',
      args: null,
      answer: Promise.resolve('stale'),
    });
    const dir = await call('directory').catch((e: unknown) => e);
    expect((dir as InstanceType<typeof BackendError>).code).toBe('not_signed_in');
  });
});
