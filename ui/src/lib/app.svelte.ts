// The shell's state: settings and app info from the backend, the current
// screen, and the last error shown to the user.
import type { AnalyticsSettings, AppInfo, Locale, Settings, ThemePreference } from './bindings';
import { boot, call, on } from './ipc';
import { applyLocale } from './i18n.svelte';
import { applyTheme } from './theme';
import { describeError } from './errors';

export type Screen = 'inbox' | 'analytics' | 'broadcasts' | 'settings';

/** What the backend starts with, until it answers. */
export function defaultSettings(): Settings {
  return {
    locale: null,
    theme: 'system',
    historyDays: 180,
    analytics: { targets: { firstResponseMinutes: 15, resolutionHours: 24 }, country: null, digits: null, hijri: false },
    notifications: { enabled: true, hidePreviews: false, previewsUnassigned: false, sound: true, dnd: false, quietHours: null, muted: [] },
    desktop: { closeToTray: true, startAtLogin: false, availability: 'online', awayAfterMinutes: 10 },
  };
}

class AppState {
  screen = $state<Screen>('inbox');
  info = $state<AppInfo | null>(null);
  settings = $state<Settings>(defaultSettings());
  error = $state<string | null>(null);
  /** At start an account was opening (the inbox, not the start screen, was coming); as first
   * told, not changed by later answers. */
  opening = $state(false);
  #applied = false;

  /** Loads what the first paint needs, so it is already in the right language: at once from
   * what the backend handed the page, then (or else) from the backend itself. */
  async init(): Promise<void> {
    const handed = boot();
    if (handed) {
      this.#apply(handed.info, handed.settings);
      void this.#load().catch((err) => (this.error = describeError(err)));
      return;
    }
    await this.#load();
  }

  async #load(): Promise<void> {
    const [info, settings] = await Promise.all([
      call('app_info'),
      call('get_settings'),
      on('settings-changed', (s) => {
        this.settings = s;
        applyTheme(s.theme);
      }),
    ]);
    this.#apply(info, settings);
  }

  #apply(info: AppInfo, settings: Settings): void {
    if (!this.#applied) this.opening = info.opening;
    this.#applied = true;
    this.info = info;
    this.settings = settings;
    applyLocale(info.locale);
    applyTheme(settings.theme);
  }

  /** `system` follows the OS language again. */
  async setLanguage(choice: Locale | 'system'): Promise<void> {
    const previous = this.info?.locale;
    if (choice !== 'system') applyLocale(choice); // flip at once, then persist
    try {
      this.settings = await call('update_settings', { locale: choice });
      this.info = await call('app_info');
      applyLocale(this.info.locale);
    } catch (err) {
      if (previous) applyLocale(previous);
      this.error = describeError(err);
    }
  }

  async setHistoryDays(historyDays: number): Promise<void> {
    try {
      this.settings = await call('update_settings', { historyDays });
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Keeps the report settings (SLA targets, country, digits, Hijri). */
  async updateAnalyticsSettings(analytics: AnalyticsSettings): Promise<void> {
    try {
      this.settings = await call('update_analytics_settings', analytics);
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Silences (or not) one conversation's notifications. */
  async muteConversation(conversationId: string, muted: boolean): Promise<void> {
    try {
      this.settings = await call('mute_conversation', { conversationId, muted });
    } catch (err) {
      this.error = describeError(err);
    }
  }

  async setTheme(theme: ThemePreference): Promise<void> {
    try {
      this.settings = await call('update_settings', { theme });
      applyTheme(this.settings.theme);
    } catch (err) {
      this.error = describeError(err);
    }
  }
}

export const app = new AppState();
