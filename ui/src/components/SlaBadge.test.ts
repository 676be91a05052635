// A row's SLA deadline, counted on the UI clock in the app's language: due, due soon, overdue.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from '@testing-library/svelte';
import type { SlaView } from '../lib/bindings';
import { clock } from '../lib/clock.svelte';
import { applyLocale } from '../lib/i18n.svelte';
import SlaBadge from './SlaBadge.svelte';

afterEach(() => {
  cleanup();
  applyLocale('en');
});

const bare = (s: string | null | undefined) => (s ?? '').replace(/[\u2068\u2069]/g, '');
const start = Date.UTC(2026, 11, 3, 9, 0);
const reply: SlaView = { target: 'first_response', startedAt: start, dueAt: start + 30 * 60000 };

function shown(sla: SlaView, minutesIn: number) {
  clock.now = start + minutesIn * 60000;
  const { container } = render(SlaBadge, { sla });
  const el = container.querySelector('[data-testid="sla"]');
  return { text: bare(el?.textContent), state: el?.getAttribute('data-state') };
}

describe('SLA badge', () => {
  it('counts down to the deadline and past it, in English', () => {
    expect(shown(reply, 18)).toEqual({ text: 'Reply due in 12 min', state: 'ok' });
    cleanup();
    expect(shown(reply, 25)).toEqual({ text: 'Reply due in 5 min', state: 'soon' });
    cleanup();
    expect(shown(reply, 95)).toEqual({ text: 'Reply overdue by 1 h 5 min', state: 'overdue' });
    cleanup();
    const resolve: SlaView = { target: 'resolution', startedAt: start, dueAt: start + 3 * 24 * 3600000 };
    expect(shown(resolve, 60)).toEqual({ text: 'Resolve within 2 d 23 h', state: 'ok' });
    cleanup();
    expect(shown(resolve, 24 * 60)).toEqual({ text: 'Resolve within 2 d', state: 'ok' });
  });

  it('says it in Arabic, with Arabic plurals of days', () => {
    applyLocale('ar');
    expect(shown(reply, 18).text).toBe('الرد خلال 12 د');
    cleanup();
    expect(shown(reply, 30 + 2 * 24 * 60 + 60).text).toBe('تأخر الرد يومان و1 س');
    cleanup();
    expect(shown(reply, 30 + 4 * 24 * 60).text).toBe('تأخر الرد 4 أيام');
  });
});
