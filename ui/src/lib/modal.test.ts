// Dialogs take the focus, keep it inside on Tab and Shift+Tab, and give it back when they close.
import { afterEach, describe, expect, it } from 'vitest';
import { modal } from './modal';

function tab(shift = false) {
  const e = new KeyboardEvent('keydown', { key: 'Tab', shiftKey: shift, bubbles: true, cancelable: true });
  (document.activeElement ?? document.body).dispatchEvent(e);
  return e.defaultPrevented;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('modal', () => {
  it('moves the focus in, wraps Tab both ways and gives the focus back', () => {
    document.body.innerHTML = `<button id="opener">open</button>
      <div id="dialog" tabindex="-1"><input id="a" /><button id="disabled" disabled>x</button><button id="b">ok</button></div>`;
    const opener = document.getElementById('opener')!;
    opener.focus();
    const dialog = document.getElementById('dialog')!;
    const action = modal(dialog);
    expect(document.activeElement?.id).toBe('a');

    // From the last control Tab goes round to the first; from the first, Shift+Tab to the last.
    document.getElementById('b')!.focus();
    expect(tab()).toBe(true);
    expect(document.activeElement?.id).toBe('a');
    expect(tab(true)).toBe(true);
    expect(document.activeElement?.id).toBe('b');
    // In between the web view moves it as usual.
    document.getElementById('a')!.focus();
    expect(tab()).toBe(false);

    action.destroy();
    dialog.remove();
    expect(document.activeElement).toBe(opener);
  });

  it('holds the focus on a dialog with nothing to focus', () => {
    document.body.innerHTML = `<div id="dialog" tabindex="-1"><p>Nothing to press</p></div>`;
    const dialog = document.getElementById('dialog')!;
    const action = modal(dialog);
    expect(document.activeElement).toBe(dialog);
    expect(tab()).toBe(true);
    expect(document.activeElement).toBe(dialog);
    action.destroy();
  });
});
