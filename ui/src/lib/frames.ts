// Timing against the screen's frames.

/** Runs `fn` once what the page shows now has been painted: at the start of the frame after
 * the next one (the next frame lays out and paints; the one after begins once that is done). */
export function afterPaint(fn: () => void): void {
  const frame = globalThis.requestAnimationFrame ?? ((f: FrameRequestCallback) => setTimeout(() => f(performance.now()), 16));
  frame(() => frame(() => fn()));
}

/** Resolves once the page has a size, or after `ms` at the latest. A window created hidden
 * gives its page no size (0 × 0) until it shows: a screen laid out before then is laid out
 * once for nothing and again at the window's size. */
export function whenSized(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const hasSize = () => globalThis.innerWidth > 0 && globalThis.innerHeight > 0;
    if (hasSize()) return resolve();
    const done = () => {
      clearTimeout(timer);
      globalThis.removeEventListener('resize', onResize);
      resolve();
    };
    const onResize = () => {
      if (hasSize()) done();
    };
    const timer = setTimeout(done, ms);
    globalThis.addEventListener('resize', onResize);
  });
}
