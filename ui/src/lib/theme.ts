import type { ThemePreference } from './bindings';

/**
 * Applies the theme. `system` leaves the choice to the OS through
 * `prefers-color-scheme`, which follows it live; light and dark pin it.
 */
export function applyTheme(theme: ThemePreference): void {
  const html = document.documentElement;
  if (theme === 'system') delete html.dataset.theme;
  else html.dataset.theme = theme;
}
