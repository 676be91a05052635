import './lib/launch-start';
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
import { i18n, warmUp } from './lib/i18n.svelte';
import { warmUpTimes } from './lib/format';
import { call } from './lib/ipc';
import { whenSized } from './lib/frames';

/** How long the page waits for the inbox's first rows before it lays itself out without them. */
const FIRST_SCREEN_WAIT_MS = 200;
/** How long the page waits, once it has asked for the window to show, for the window's size. */
const SIZE_WAIT_MS = 200;

// Marks of the launch (read by the launch probe of the desktop bench).
performance.mark('stepup:script');
const target = document.getElementById('app')!;
// Everything the first screen needs is asked for at once; the inbox's first call takes the
// answer the boot script asked for as the page began to load (it waits for the account to open).
followNavigation().catch((err) => (app.error = describeError(err)));
const inboxLoaded = inbox.init();
// The bundled faces the first screen draws with (the page preloads their files): here before it
// is laid out, so that its text is laid out once, in them.
const fontsLoaded = Promise.all(
  [
    ["400 14px 'Noto Sans (Stepup)'", 'A'],
    ["600 14px 'Noto Sans (Stepup)'", 'A'],
    ["400 14px 'Noto Sans Arabic (Stepup)'", 'ع'],
    ["600 14px 'Noto Sans Arabic (Stepup)'", 'ع'],
  ].map(([font, text]) => document.fonts?.load(font as string, text)),
)
  .then(() => performance.mark('stepup:fonts'))
  .catch(() => undefined);
app
  .init()
  .then(() => performance.mark('stepup:settings'))
  .catch((err) => (app.error = describeError(err)))
  // The first screen is laid out once, with its rows and fonts, when they are near (usually already
  // here: the boot script asked for them); a slow start lays it out and fills it in after.
  .then(() =>
    Promise.race([Promise.all([inboxLoaded, fontsLoaded]), new Promise((resolve) => setTimeout(resolve, FIRST_SCREEN_WAIT_MS))]),
  )
  .finally(async () => {
    // The window waits hidden until the page has all its first screen needs (the page is
    // loaded, its first rows are here), then shows; the screen is laid out once the shown
    // window has given the page its size (a hidden one has none).
    call('show_window').catch(() => undefined);
    await whenSized(SIZE_WAIT_MS);
    performance.mark('stepup:sized');
    mount(App, { target });
    performance.mark('stepup:mounted');
    // Style and layout of the first screen, done now rather than at the next frame (it is the
    // same work), so that the launch marks tell it apart from painting.
    void target.offsetHeight;
    performance.mark('stepup:laid-out');
  });
// While the first screen's rows are on their way (their answer comes in a later task): work
// its first layout needs anyway, in the language the boot script handed over.
warmUp(i18n.locale);
warmUpTimes(i18n.locale);
performance.mark('stepup:warm');
