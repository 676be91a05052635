// A modal dialog takes the focus when it opens (its first field or control, else itself), keeps
// Tab and Shift+Tab inside it, and gives the focus back to what had it when it closes.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(node: HTMLElement): HTMLElement[] {
  return [...node.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest('[hidden], [inert]'));
}

/** A Svelte action for the dialog's element. */
export function modal(node: HTMLElement): { destroy: () => void } {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const first = node.querySelector<HTMLElement>('[autofocus]') ?? focusables(node)[0] ?? node;
  if (!node.contains(document.activeElement)) first.focus();

  function onKey(e: KeyboardEvent) {
    // WebKitGTK names Shift+Tab after GTK's ISO_Left_Tab; its code is still Tab.
    if (e.key !== 'Tab' && e.code !== 'Tab') return;
    const all = focusables(node);
    if (all.length === 0) {
      e.preventDefault();
      node.focus();
      return;
    }
    const [head, tail] = [all[0]!, all[all.length - 1]!];
    const at = document.activeElement;
    if (e.shiftKey && (at === head || at === node || !node.contains(at))) {
      e.preventDefault();
      tail.focus();
    } else if (!e.shiftKey && (at === tail || !node.contains(at))) {
      e.preventDefault();
      head.focus();
    }
  }
  node.addEventListener('keydown', onKey);
  return {
    destroy() {
      node.removeEventListener('keydown', onKey);
      // Back where the agent was, if that is still on the page and nothing else took the focus.
      if (opener?.isConnected && (document.activeElement === document.body || node.contains(document.activeElement) || !document.activeElement)) {
        opener.focus();
      }
    },
  };
}
