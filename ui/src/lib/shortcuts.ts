// The inbox's keyboard shortcuts: one list for the handler, the help panel
// and Settings. Keys are shown as written (Latin), in both languages.
export type ShortcutId =
  | 'next'
  | 'previous'
  | 'reply'
  | 'note'
  | 'assign-me'
  | 'resolve'
  | 'unread'
  | 'search'
  | 'palette'
  | 'help'
  | 'send'
  | 'newline'
  | 'canned';

export const SHORTCUTS: { id: ShortcutId; keys: string }[] = [
  { id: 'next', keys: 'J / ↓' },
  { id: 'previous', keys: 'K / ↑' },
  { id: 'reply', keys: 'R' },
  { id: 'note', keys: 'N' },
  { id: 'assign-me', keys: 'A' },
  { id: 'resolve', keys: 'E' },
  { id: 'unread', keys: 'U' },
  { id: 'search', keys: '/' },
  { id: 'palette', keys: 'Ctrl/⌘ + K' },
  { id: 'help', keys: '?' },
  { id: 'send', keys: 'Enter' },
  { id: 'newline', keys: 'Shift + Enter' },
  { id: 'canned', keys: '/ …' },
];

/** The shortcut a key press means in the list (not while typing). Letters
 * go by the physical key (`code`), so they work the same with an Arabic
 * keyboard layout, where J types ت. */
export function shortcutFor(
  e: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
): ShortcutId | null {
  if ((e.ctrlKey || e.metaKey) && e.code === 'KeyK') return 'palette';
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === '?' || (e.shiftKey && e.code === 'Slash')) return 'help';
  switch (e.code) {
    case 'KeyJ':
    case 'ArrowDown':
      return 'next';
    case 'KeyK':
    case 'ArrowUp':
      return 'previous';
    case 'KeyR':
      return 'reply';
    case 'KeyN':
      return 'note';
    case 'KeyA':
      return 'assign-me';
    case 'KeyE':
      return 'resolve';
    case 'KeyU':
      return 'unread';
    case 'Slash':
      return 'search';
    default:
      return null;
  }
}
