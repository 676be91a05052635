// A customer's file the cloud could not fetch from the channel says why, in the app's language;
// one not fetched yet says so; neither offers a file to open or save.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/svelte';
import type { AttachmentView, MediaProblem } from '../lib/bindings';
import { applyLocale } from '../lib/i18n.svelte';
import Attachment from './Attachment.svelte';

afterEach(() => {
  cleanup();
  applyLocale('en');
});

const voice = (fetchFailed: MediaProblem | null): AttachmentView => ({
  id: null,
  kind: 'voice',
  filename: null,
  contentType: 'audio/ogg',
  fetchFailed,
});

const said = (a: AttachmentView) => {
  const { container } = render(Attachment, { attachment: a });
  return {
    failed: container.querySelector('[data-testid="media-failed"]')?.textContent ?? null,
    text: container.textContent?.trim() ?? '',
    save: container.querySelector('[data-testid="save-attachment"]') !== null,
  };
};

describe('a file the cloud could not fetch', () => {
  it('names each reason, in English and in Arabic', () => {
    const reasons: MediaProblem[] = ['too_large', 'gone', 'corrupt', 'refused', 'provider_down'];
    const english = reasons.map((r) => said(voice(r)).failed);
    expect(english).toEqual([
      "The customer's file is too large to fetch from the channel.",
      'The channel no longer has this file.',
      'The file arrived damaged from the channel and was not kept.',
      "The file's link points to a private address; it was not fetched.",
      'The channel kept failing to send this file; it was tried several times.',
    ]);
    cleanup();
    applyLocale('ar');
    expect(said(voice('gone')).failed).toBe('لم يعد هذا الملف متاحًا لدى القناة.');
  });

  it('is not yet available while the cloud is still fetching it, and offers nothing to save', () => {
    expect(said(voice(null))).toEqual({ failed: null, text: 'The file is not available yet.', save: false });
    expect(said(voice('gone')).save).toBe(false);
  });
});
