// Once the page is painted, tell the backend (the same signal Stepup's UI sends).
requestAnimationFrame(() =>
  requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke('ready', { args: 'page' })),
);
