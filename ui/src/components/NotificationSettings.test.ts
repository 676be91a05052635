// The notification settings with the backend replaced at the one IPC module: message text of
// unassigned conversations, off unless chosen, and moot while all message text is hidden.
import { describe, expect, it, vi, beforeEach, afterEach } from 'vitest';
import { render, screen, fireEvent, cleanup } from '@testing-library/svelte';
import type { NotificationSettings as Notifications } from '../lib/bindings';

const backend = vi.hoisted(() => ({ calls: [] as [string, unknown][] }));

vi.mock('../lib/ipc', () => ({
  BackendError: Error,
  inDesktopApp: () => false,
  boot: () => null,
  on: async () => () => {},
  call: async (cmd: string, args?: unknown) => {
    backend.calls.push([cmd, args]);
    if (cmd === 'update_notification_settings') {
      const { app } = await import('../lib/app.svelte');
      return { ...app.settings, notifications: args };
    }
    throw new Error(`unexpected ${cmd}`);
  },
}));

const { default: NotificationSettings } = await import('./NotificationSettings.svelte');
const { app, defaultSettings } = await import('../lib/app.svelte');
const { applyLocale } = await import('../lib/i18n.svelte');

beforeEach(() => {
  applyLocale('en');
  app.settings = defaultSettings();
  backend.calls = [];
});

afterEach(cleanup);

describe('message text of unassigned conversations', () => {
  it('is off by default and turns on with all the other settings kept', async () => {
    render(NotificationSettings);
    const box = screen.getByTestId('notifications-previews-unassigned') as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(box.disabled).toBe(false);
    expect(box.closest('label')?.textContent?.trim()).toBe('Show message text for unassigned conversations');
    await fireEvent.click(box);
    await vi.waitFor(() => expect(backend.calls).toHaveLength(1));
    const [cmd, args] = backend.calls[0]!;
    expect(cmd).toBe('update_notification_settings');
    expect(args).toEqual({ ...defaultSettings().notifications, previewsUnassigned: true } satisfies Notifications);
    await vi.waitFor(() => expect(app.settings.notifications.previewsUnassigned).toBe(true));
    expect(box.checked).toBe(true);
  });

  it('cannot be changed while all message text is hidden', async () => {
    render(NotificationSettings);
    await fireEvent.click(screen.getByTestId('notifications-hide-previews'));
    await vi.waitFor(() => expect(app.settings.notifications.hidePreviews).toBe(true));
    const box = screen.getByTestId('notifications-previews-unassigned') as HTMLInputElement;
    expect(box.disabled).toBe(true);
    expect(backend.calls.at(-1)?.[1]).toEqual({ ...defaultSettings().notifications, hidePreviews: true });
  });

  it('speaks Arabic', () => {
    applyLocale('ar');
    render(NotificationSettings);
    const box = screen.getByTestId('notifications-previews-unassigned');
    expect(box.closest('label')?.textContent?.trim()).toBe('إظهار نص الرسائل في المحادثات غير المسندة');
  });
});
