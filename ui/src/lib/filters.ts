// The list's active filters as removable chips: what narrows the list (and a sort other than
// the default), each with the change to the query that removes it.
import type { Directory } from './bindings';
import type { ListQuery } from './inbox.svelte';

export type FilterChip = {
  key: 'channel' | 'status' | 'label' | 'assignee' | 'unread' | 'sort';
  /** The chip's text: a catalog message, or a name the workspace chose (shown as it is). */
  text: { id: string } | { name: string };
  clear: Partial<ListQuery>;
};

/** Everything that takes the list back to its view's own rows, newest first. */
export const CLEAR_ALL: Partial<ListQuery> = {
  channel: null,
  status: null,
  label: null,
  agent: null,
  team: null,
  unread: false,
  sort: 'latest',
};

export function activeFilters(q: ListQuery, directory: Directory | null): FilterChip[] {
  const chips: FilterChip[] = [];
  if (q.channel) chips.push({ key: 'channel', text: { id: `channel-${q.channel}` }, clear: { channel: null } });
  if (q.status) chips.push({ key: 'status', text: { id: `status-${q.status}` }, clear: { status: null } });
  if (q.label) {
    const name = directory?.labels.find((l) => l.id === q.label)?.name;
    chips.push({ key: 'label', text: name ? { name } : { id: 'filter-label-unknown' }, clear: { label: null } });
  }
  if (q.agent || q.team) {
    const name = q.agent
      ? directory?.agents.find((a) => a.id === q.agent)?.name
      : directory?.teams.find((tm) => tm.id === q.team)?.name;
    chips.push({
      key: 'assignee',
      text: name ? { name } : { id: 'filter-assignee-unknown' },
      clear: { agent: null, team: null },
    });
  }
  if (q.unread) chips.push({ key: 'unread', text: { id: 'filter-unread' }, clear: { unread: false } });
  if (q.sort !== 'latest') chips.push({ key: 'sort', text: { id: `sort-${q.sort}` }, clear: { sort: 'latest' } });
  return chips;
}
