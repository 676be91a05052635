// The page waits for its window's size before it lays out its first screen.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { whenSized } from './frames';

function setViewport(width: number, height: number, notify = true): void {
  Object.defineProperty(window, 'innerWidth', { configurable: true, value: width });
  Object.defineProperty(window, 'innerHeight', { configurable: true, value: height });
  if (notify) window.dispatchEvent(new Event('resize'));
}

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('whenSized', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    setViewport(1024, 768, false);
  });

  it('resolves at once when the page already has a size', async () => {
    setViewport(1200, 780, false);
    expect(await settled(whenSized(200))).toBe(true);
  });

  it('waits while the window is hidden, and resolves when it gives the page its size', async () => {
    setViewport(0, 0, false);
    const sized = whenSized(200);
    expect(await settled(sized)).toBe(false);
    // A resize that leaves the page without a height is not the window's size yet.
    setViewport(1200, 0);
    expect(await settled(sized)).toBe(false);
    setViewport(1200, 780);
    expect(await settled(sized)).toBe(true);
  });

  it('gives up waiting after the time it was given', async () => {
    setViewport(0, 0, false);
    const sized = whenSized(200);
    await vi.advanceTimersByTimeAsync(199);
    expect(await settled(sized)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(sized)).toBe(true);
  });
});
