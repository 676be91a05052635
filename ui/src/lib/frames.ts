// Timing against the screen's frames.

/** Runs `fn` once what the page shows now has been painted: at the start of the frame after
 * the next one (the next frame lays out and paints; the one after begins once that is done). */
export function afterPaint(fn: () => void): void {
  const frame = globalThis.requestAnimationFrame ?? ((f: FrameRequestCallback) => setTimeout(() => f(performance.now()), 16));
  frame(() => frame(() => fn()));
}
