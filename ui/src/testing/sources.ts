// The UI's own source files, for tests that check every component.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every `.svelte` file under `dir`, its subfolders included. */
export function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return svelteFiles(path);
    return path.endsWith('.svelte') ? [path] : [];
  });
}
