// Once the page is painted, tell the backend (the same signal Stepup's UI sends), with the
// page's time origin and when it was painted after it, as Stepup's page reports them.
requestAnimationFrame(() =>
  requestAnimationFrame(() =>
    window.__TAURI_INTERNALS__.invoke('ready', {
      args: `page:origin=${performance.timeOrigin},painted=${performance.now()}`,
    }),
  ),
);
