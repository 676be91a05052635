// Formatting of the Analytics screen: digits chosen by the report, not by the webview.
import { describe, expect, it } from 'vitest';
import { formatDate, formatDuration, formatFigure, formatNumber, withDigits } from './analytics.svelte';
import { applyLocale } from './i18n.svelte';

describe('analytics formatting', () => {
  it('writes numbers in Latin or Arabic-Indic digits', () => {
    expect(formatNumber(12345.678, 'latin', 1)).toBe('12,345.7');
    expect(formatNumber(12345.678, 'arabic_indic', 1)).toBe('١٢٬٣٤٥٫٧');
    expect(withDigits('2026-03-04', 'arabic_indic')).toBe('٢٠٢٦-٠٣-٠٤');
    expect(formatDate('2026-03-04', 'arabic_indic')).toBe('٠٤/٠٣/٢٠٢٦');
    expect(formatDate('2026-03-04', 'latin')).toBe('2026-03-04');
  });

  it('reads durations in the largest sensible unit', () => {
    // Fluent isolates placeables (U+2068 … U+2069); compare without them.
    const strip = (s: string) => s.replace(/[\u2068\u2069]/g, '');
    applyLocale('en');
    expect(strip(formatDuration(30_000, 'latin'))).toBe('30 s');
    expect(strip(formatDuration(10 * 60_000, 'latin'))).toBe('10 min');
    expect(strip(formatDuration(125 * 60_000, 'latin'))).toBe('2 h 5 min');
    expect(strip(formatDuration(26 * 3_600_000, 'latin'))).toBe('1 d 2 h');
    applyLocale('ar');
    expect(strip(formatDuration(10 * 60_000, 'arabic_indic'))).toBe('١٠ د');
  });

  it('shows a dash when there is nothing to measure', () => {
    applyLocale('en');
    const figure = { id: 'csat', value: null, unit: 'score' as const, definition: 'analytics-def-csat', conversations: [] };
    expect(formatFigure(figure, 'latin')).toBe('—');
    expect(formatFigure({ ...figure, value: 4.25 }, 'latin').replace(/[\u2068\u2069]/g, '')).toBe('4.25 / 5');
    expect(formatFigure({ ...figure, value: 4.25 }, 'arabic_indic').replace(/[\u2068\u2069]/g, '')).toBe('٤٫٢٥ / ٥');
    expect(formatFigure({ ...figure, unit: 'percent', value: 33.33 }, 'latin').replace(/[\u2068\u2069]/g, '')).toBe('33.3%');
  });
});
