// A row's last message comes typed: its kind is named in the app's language, its text is the
// customer's, whatever it says.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/svelte';
import type { Preview } from '../lib/bindings';
import RowPreview from './RowPreview.svelte';

afterEach(cleanup);

const shown = (preview: Preview | null) => {
  const { container } = render(RowPreview, { row: { preview } });
  const el = container.querySelector('.preview');
  return {
    kind: el?.querySelector('.kind')?.textContent ?? null,
    text: el?.querySelector('bdi')?.textContent ?? null,
    named: el?.classList.contains('preview-kind') ?? false,
    all: el?.textContent?.trim() ?? '',
    sep: el?.querySelector('.sep') !== null,
  };
};

describe('row preview', () => {
  it('shows what a customer typed as text, brackets and all', () => {
    expect(shown({ kind: 'text', text: '[image]' })).toEqual({ kind: null, text: '[image]', named: false, all: '[image]', sep: false });
  });

  it('names a photo, a place or a voice note by its kind, before its caption', () => {
    expect(shown({ kind: 'image', text: '' })).toEqual({ kind: 'Photo', text: null, named: true, all: 'Photo', sep: false });
    expect(shown({ kind: 'location', text: 'برج خليفة' })).toEqual({ kind: 'Location', text: 'برج خليفة', named: true, all: 'Location·برج خليفة', sep: true });
    expect(shown({ kind: 'voice', text: '' }).kind).toBe('Voice note');
  });

  it('shows nothing for a conversation without messages', () => {
    expect(shown(null)).toEqual({ kind: null, text: null, named: false, all: '', sep: false });
  });
});
