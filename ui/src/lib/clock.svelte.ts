// The UI's wall clock for countdowns (the reply window): one reactive `now`, read again every
// 30 s, when the window comes back into focus or view (a laptop waking from sleep shows the right
// time at once, not up to 30 s late), and on `tick()`. It reads `Date.now()`, so a test that sets
// the page's clock and then ticks sees the countdown at that time.

const EVERY_MS = 30_000;

class Clock {
  now = $state(Date.now());

  tick = (): void => {
    this.now = Date.now();
  };
}

export const clock = new Clock();

if (typeof window !== 'undefined') {
  setInterval(clock.tick, EVERY_MS);
  window.addEventListener('focus', clock.tick);
  document.addEventListener('visibilitychange', clock.tick);
}
