// Where a click on a notification takes the UI, and the quiet-hours inputs.
import { describe, expect, it, vi } from 'vitest';

const backend = vi.hoisted(() => ({
  handlers: new Map<string, (payload: unknown) => void>(),
  calls: [] as [string, unknown][],
}));

vi.mock('./ipc', () => ({
  BackendError: Error,
  inDesktopApp: () => false,
  boot: () => null,
  on: async (event: string, handler: (payload: unknown) => void) => {
    backend.handlers.set(event, handler);
    return () => {};
  },
  call: async (cmd: string, args?: unknown) => {
    backend.calls.push([cmd, args]);
    if (cmd === 'open_conversation') return { row: { id: args }, messages: [] };
    if (cmd === 'update_notification_settings') return { notifications: args };
    throw new Error(`unexpected ${cmd}`);
  },
}));

const { followNavigation, fromTime, toTime, updateNotifications } = await import('./desktop.svelte');
const { app } = await import('./app.svelte');
const { inbox } = await import('./inbox.svelte');

describe('desktop integration', () => {
  it('a navigate event opens that conversation in the inbox', async () => {
    app.screen = 'settings';
    await followNavigation();
    backend.handlers.get('navigate')!({ conversationId: 'cnv_42', accountId: null });
    expect(app.screen).toBe('inbox');
    expect(inbox.selected).toBe('cnv_42');
    await vi.waitFor(() => expect(inbox.conversation?.row.id).toBe('cnv_42'));
    expect(backend.calls).toContainEqual(['open_conversation', 'cnv_42']);
  });

  it('changing one notification setting sends all of them', async () => {
    await updateNotifications({ hidePreviews: true });
    const [cmd, args] = backend.calls.at(-1)!;
    expect(cmd).toBe('update_notification_settings');
    expect(args).toEqual({ ...app.settings.notifications, hidePreviews: true });
  });

  it('quiet hours convert between minutes and HH:MM', () => {
    expect(toTime(22 * 60)).toBe('22:00');
    expect(toTime(7 * 60 + 5)).toBe('07:05');
    expect(fromTime('07:05')).toBe(425);
    expect(fromTime('24:00')).toBeNull();
    expect(fromTime('nope')).toBeNull();
  });
});
