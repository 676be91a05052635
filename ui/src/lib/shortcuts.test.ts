import { describe, expect, it } from 'vitest';
import { shortcutFor } from './shortcuts';

const key = (code: string, key: string, mods: Partial<KeyboardEvent> = {}) => ({
  code,
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('shortcuts', () => {
  it('go by the physical key, so an Arabic layout works too', () => {
    expect(shortcutFor(key('KeyJ', 'ت'))).toBe('next');
    expect(shortcutFor(key('KeyJ', 'j'))).toBe('next');
    expect(shortcutFor(key('KeyE', 'ث'))).toBe('resolve');
    expect(shortcutFor(key('KeyK', 'ن', { ctrlKey: true }))).toBe('palette');
    expect(shortcutFor(key('KeyK', 'k', { metaKey: true }))).toBe('palette');
    expect(shortcutFor(key('Slash', '?', { shiftKey: true }))).toBe('help');
    expect(shortcutFor(key('KeyR', 'r', { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(key('KeyZ', 'z'))).toBeNull();
  });
});
