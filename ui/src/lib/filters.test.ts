// The filter bar's chips say what narrows the list, and each removes only its own part.
import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from './inbox.svelte';
import { activeFilters, CLEAR_ALL, type FilterChip } from './filters';
import type { Directory } from './bindings';

const directory = {
  me: null,
  agents: [{ id: 'a1', name: 'Omar Khalil' }],
  teams: [{ id: 't1', name: 'المبيعات' }],
  labels: [{ id: 'l1', name: 'Eid gift', color: '#f59e0b' }],
  canned: [],
  templates: [],
} as unknown as Directory;

describe('activeFilters', () => {
  it('has no chip for the default list', () => {
    expect(activeFilters(DEFAULT_QUERY, directory)).toEqual([]);
    // A view is not a filter: it has its own chips.
    expect(activeFilters({ ...DEFAULT_QUERY, view: 'mine' }, directory)).toEqual([]);
  });

  it('names each filter, the workspace’s own names as they are', () => {
    const chips = activeFilters(
      { ...DEFAULT_QUERY, channel: 'whatsapp', status: 'resolved', label: 'l1', team: 't1', unread: true, sort: 'priority' },
      directory,
    );
    expect(chips.map((c) => [c.key, c.text])).toEqual([
      ['channel', { id: 'channel-whatsapp' }],
      ['status', { id: 'status-resolved' }],
      ['label', { name: 'Eid gift' }],
      ['assignee', { name: 'المبيعات' }],
      ['unread', { id: 'filter-unread' }],
      ['sort', { id: 'sort-priority' }],
    ]);
  });

  it('removes only its own part, and clearing all leaves the view', () => {
    const q = { ...DEFAULT_QUERY, view: 'unassigned' as const, channel: 'telegram' as const, agent: 'a1' };
    const [channel, assignee] = activeFilters(q, directory) as [FilterChip, FilterChip];
    expect({ ...q, ...channel.clear }).toEqual({ ...DEFAULT_QUERY, view: 'unassigned', agent: 'a1' });
    expect(assignee.text).toEqual({ name: 'Omar Khalil' });
    expect({ ...q, ...assignee.clear }).toEqual({ ...DEFAULT_QUERY, view: 'unassigned', channel: 'telegram' });
    expect({ ...q, ...CLEAR_ALL }).toEqual({ ...DEFAULT_QUERY, view: 'unassigned' });
  });

  it('still shows a filter whose label or agent is no longer in the directory', () => {
    const chips = activeFilters({ ...DEFAULT_QUERY, label: 'gone', agent: 'gone' }, null);
    expect(chips.map((c) => c.text)).toEqual([{ id: 'filter-label-unknown' }, { id: 'filter-assignee-unknown' }]);
  });
});
