import { mount } from 'svelte';
import '@fontsource/noto-sans/400.css';
import '@fontsource/noto-sans/600.css';
import '@fontsource/noto-sans-arabic/400.css';
import '@fontsource/noto-sans-arabic/600.css';
import './app.css';
import App from './App.svelte';
import { app } from './lib/app.svelte';
import { describeError } from './lib/errors';
import { followNavigation } from './lib/desktop.svelte';
import { inbox } from './lib/inbox.svelte';
import { call } from './lib/ipc';

/** How long the page waits for the inbox's first rows before it lays itself out without them. */
const FIRST_SCREEN_WAIT_MS = 200;

// Marks of the launch (read by the launch probe of the desktop bench).
performance.mark('stepup:script');
const target = document.getElementById('app')!;
// Everything the first screen needs is asked for at once; the inbox's first call takes the
// answer the boot script asked for as the page began to load (it waits for the account to open).
followNavigation().catch((err) => (app.error = describeError(err)));
const inboxLoaded = inbox.init();
app
  .init()
  .then(() => performance.mark('stepup:settings'))
  .catch((err) => (app.error = describeError(err)))
  // The first screen is laid out once, with its rows, when they are near (usually already
  // here: the boot script asked for them); a slow start lays it out and fills it in after.
  .then(() => Promise.race([inboxLoaded, new Promise((resolve) => setTimeout(resolve, FIRST_SCREEN_WAIT_MS))]))
  .finally(() => {
    // The window waits hidden until the page has all its first screen needs (the page is
    // loaded, its first rows are here), then shows while the screen is laid out.
    call('show_window').catch(() => undefined);
    mount(App, { target });
    performance.mark('stepup:mounted');
  });
