// Notifications and desktop settings, and where a click on a notification
// (or a stepup:// link) takes the UI: the backend decides, the UI follows.
import type { Availability, DesktopSettings, NotificationSettings, QuietHours } from './bindings';
import { call, on } from './ipc';
import { app } from './app.svelte';
import { inbox } from './inbox.svelte';
import { describeError } from './errors';

/** Minutes after midnight ↔ the `HH:MM` of a time input. */
export function toTime(minutes: number): string {
  const h = Math.floor(minutes / 60) % 24;
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

export function fromTime(value: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const h = Number(match[1]);
  const m = Number(match[2]);
  return h < 24 && m < 60 ? h * 60 + m : null;
}

/** 22:00 → 07:00 unless the agent chose otherwise. */
export const DEFAULT_QUIET_HOURS: QuietHours = { from: 22 * 60, to: 7 * 60 };

export async function updateNotifications(patch: Partial<NotificationSettings>): Promise<void> {
  try {
    app.settings = await call('update_notification_settings', { ...app.settings.notifications, ...patch });
  } catch (err) {
    app.error = describeError(err);
  }
}

export async function updateDesktop(patch: Partial<DesktopSettings>): Promise<void> {
  try {
    app.settings = await call('update_desktop_settings', { ...app.settings.desktop, ...patch });
  } catch (err) {
    app.error = describeError(err);
  }
}

export const availabilities: Availability[] = ['online', 'away', 'offline'];

/** Follows `navigate` events: the inbox, on that conversation. */
export async function followNavigation(): Promise<void> {
  await on('navigate', async (to) => {
    app.screen = 'inbox';
    // A notification of an account syncing in the background: that account first.
    const active = inbox.accounts.find((a) => a.active)?.id;
    if (to.accountId && to.accountId !== active) {
      try {
        await inbox.openAccount(to.accountId);
      } catch (err) {
        app.error = describeError(err);
        return;
      }
    }
    void inbox.open(to.conversationId);
  });
}
