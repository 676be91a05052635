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

// Marks of the launch (read by the launch probe of the desktop bench).
performance.mark('stepup:script');
const target = document.getElementById('app')!;
// Everything the first screen needs is asked for at once; the inbox's answers (they wait for
// the account to open) arrive while the page is laid out.
followNavigation().catch((err) => (app.error = describeError(err)));
void inbox.init();
app
  .init()
  .then(() => performance.mark('stepup:settings'))
  .catch((err) => (app.error = describeError(err)))
  .finally(() => {
    mount(App, { target });
    performance.mark('stepup:mounted');
  });
