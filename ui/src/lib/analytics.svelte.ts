// The Analytics screen's state and formatting. The dashboard is computed by the backend from
// the local encrypted cache (so it works offline); this module only asks for it and formats
// numbers with the digits the report is set to, independently of the webview's locale data.
import type { AnalyticsSettings, AnalyticsView, Digits, Figure, HijriDate, InboxRow, Query, Range } from './bindings';
import { call, on } from './ipc';
import { describeError } from './errors';
import { app } from './app.svelte';
import { inbox } from './inbox.svelte';
import { t } from './i18n.svelte';

export type RangeKind = Range['kind'];
export const RANGES: RangeKind[] = ['today', 'last7', 'this_week', 'last30', 'last90', 'custom'];

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';

/** Latin digits, group and decimal separators rewritten in the chosen digits. */
export function withDigits(text: string, digits: Digits): string {
  if (digits === 'latin') return text;
  return text.replace(/[0-9.,]/g, (c) => (c === '.' ? '٫' : c === ',' ? '٬' : (ARABIC_INDIC[Number(c)] ?? c)));
}

/** A number with grouping and at most `decimals` decimals, in the chosen digits. */
export function formatNumber(value: number, digits: Digits, decimals = 0): string {
  const text = new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals }).format(value);
  return withDigits(text, digits);
}

/** A duration: seconds under a minute, minutes under an hour, then hours and days. */
export function formatDuration(ms: number, digits: Digits): string {
  const n = (v: number) => formatNumber(v, digits);
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return t('analytics-duration-seconds', { n: n(seconds) });
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return t('analytics-duration-minutes', { n: n(minutes) });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('analytics-duration-hours', { h: n(hours), m: n(minutes % 60) });
  return t('analytics-duration-days', { d: n(Math.floor(hours / 24)), h: n(hours % 24) });
}

/** A figure's value as shown on its card. */
export function formatFigure(figure: Figure, digits: Digits): string {
  if (figure.value === null) return t('analytics-no-value');
  switch (figure.unit) {
    case 'duration':
      return formatDuration(figure.value, digits);
    case 'percent':
      return t('analytics-percent', { n: formatNumber(figure.value, digits, 1) });
    case 'score':
      return t('analytics-score', { n: formatNumber(figure.value, digits, 2), max: withDigits('5', digits) });
    default:
      return formatNumber(figure.value, digits);
  }
}

/**
 * `2026-03-04` in Latin digits; `٠٤/٠٣/٢٠٢٦` in Arabic-Indic ones. Hyphens between
 * Arabic-Indic digits would let the bidi algorithm reverse the parts; slashes keep them whole.
 */
export function formatDate(date: string, digits: Digits): string {
  if (digits === 'latin') return date;
  const [y, m, d] = date.split('-');
  return withDigits(`${d}/${m}/${y}`, digits);
}

export function formatHijri(h: HijriDate, digits: Digits): string {
  return t('analytics-hijri-date', {
    day: withDigits(String(h.day), digits),
    month: t(`analytics-hijri-month-${h.month}`),
    year: withDigits(String(h.year), digits),
  });
}

/** Message ids use dashes where figure ids use underscores. */
export const figureTitle = (id: string) => `analytics-fig-${id.replaceAll('_', '-')}`;

class AnalyticsState {
  query = $state<Query>({
    range: { kind: 'last7' },
    filters: {},
    targets: { firstResponseMinutes: 15, resolutionHours: 24 },
    hijri: false,
  });
  view = $state<AnalyticsView | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  exported = $state<string | null>(null);
  /** The conversations behind a figure (or a channel, or an agent), and its title. */
  drill = $state<{ title: string; ids: string[] } | null>(null);
  rows = $state<Map<string, InboxRow>>(new Map());
  #serial = 0;

  get digits(): Digits {
    return this.query.digits ?? this.view?.dashboard?.digits ?? 'latin';
  }

  #restored = false;

  /** Takes the report settings (targets, country, digits, Hijri) from the app's settings, once. */
  restore(saved: AnalyticsSettings): void {
    if (this.#restored) return;
    this.#restored = true;
    this.query.targets = { ...saved.targets };
    this.query.country = saved.country ?? undefined;
    this.query.digits = saved.digits ?? undefined;
    this.query.hijri = saved.hijri;
  }

  /** The report settings as they are now on screen, for the app's settings. */
  reportSettings(): AnalyticsSettings {
    const q = $state.snapshot(this.query);
    return { targets: q.targets, country: q.country ?? null, digits: q.digits ?? null, hijri: q.hijri };
  }

  /** Messages fetched so far while the period's older history is fetched (`null`: idle). */
  fetching = $state<number | null>(null);

  /** Fetches the messages this computer lacks for the period, then shows it again. */
  async fetchHistory(): Promise<void> {
    const from = this.view?.dashboard?.from;
    if (from === undefined || this.fetching !== null) return;
    this.fetching = 0;
    const stop = await on('inbox', (e) => {
      if (e.type === 'historyProgress') this.fetching = e.fetched;
    });
    try {
      await call('fetch_history', { from });
      await this.load();
    } catch (err) {
      this.error = describeError(err);
    } finally {
      stop();
      this.fetching = null;
    }
  }

  async load(): Promise<void> {
    const serial = ++this.#serial;
    this.loading = true;
    try {
      const view = await call('analytics', $state.snapshot(this.query));
      if (serial === this.#serial) {
        this.view = view;
        this.error = null;
      }
    } catch (err) {
      if (serial === this.#serial) this.error = describeError(err);
    } finally {
      if (serial === this.#serial) this.loading = false;
    }
  }

  setRange(kind: RangeKind): void {
    if (kind === 'custom') {
      const days = this.view?.dashboard?.days ?? [];
      const from = days[0]?.date ?? '';
      const to = days[days.length - 1]?.date ?? '';
      this.query.range = { kind: 'custom', from, to };
    } else {
      this.query.range = { kind } as Range;
    }
    void this.load();
  }

  async exportCsv(): Promise<void> {
    try {
      const file = await call('export_analytics_csv', $state.snapshot(this.query));
      this.exported = file.path;
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Lists the conversations behind a figure, with their names from the cache. */
  async showDrill(title: string, ids: string[]): Promise<void> {
    this.drill = { title, ids };
    try {
      const rows = await call('inbox_rows', ids);
      this.rows = new Map(rows.map((r) => [r.id, r]));
    } catch (err) {
      this.error = describeError(err);
    }
  }

  /** Opens a conversation in the inbox. */
  async openConversation(id: string): Promise<void> {
    this.drill = null;
    app.screen = 'inbox';
    await inbox.open(id);
  }
}

export const analytics = new AnalyticsState();
