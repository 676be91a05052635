// Every user-visible string comes from i18n/: no text nodes or visible
// attributes with literal words in the UI's components.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';
import { svelteFiles } from '../testing/sources';

const SRC = join(import.meta.dirname, '..');
const VISIBLE_ATTRIBUTES = new Set(['title', 'alt', 'placeholder', 'aria-label', 'aria-description', 'label']);
const LETTERS = /\p{L}/u;

type Node = { type: string; [key: string]: unknown };

/** Literal visible text in a component's markup. */
export function literalStrings(source: string): string[] {
  const ast = parse(source, { modern: true }) as unknown as { fragment: Node };
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Node;
    if (n.type === 'Text' && LETTERS.test(String(n.data))) found.push(String(n.data).trim());
    if (n.type === 'Attribute') {
      // Only visible attributes count; class names, test ids and the like do not.
      if (VISIBLE_ATTRIBUTES.has(String(n.name)) && Array.isArray(n.value)) {
        for (const part of n.value as Node[]) {
          if (part.type === 'Text' && LETTERS.test(String(part.data))) found.push(`${n.name}="${part.data}"`);
        }
      }
      return;
    }
    for (const [key, value] of Object.entries(n)) {
      if (key !== 'parent' && key !== 'metadata') visit(value);
    }
  };
  visit(ast.fragment);
  return found;
}

describe('UI strings', () => {
  it('the check catches literal text and visible attributes', () => {
    expect(literalStrings('<p>Hello</p><img alt="A cat" src="x" /><b>{t("ok")}</b>')).toEqual([
      'Hello',
      'alt="A cat"',
    ]);
    expect(literalStrings('<p>{t("ok")}</p><div class="shell" data-testid="x"></div>')).toEqual([]);
  });

  it('no component holds user-visible literal strings', () => {
    const offenders = svelteFiles(SRC).flatMap((file) =>
      literalStrings(readFileSync(file, 'utf8')).map((s) => `${relative(SRC, file)}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
