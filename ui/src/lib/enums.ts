// Reading the backend's enums where the DOM hands back strings (a <select>'s value), and what
// the UI derives from them. The values themselves come from the generated bindings.
import type { MessageKind } from './bindings';

/** `value` when it is one of `values`, else `null` (an empty choice, or anything else). */
export function oneOf<T extends string>(values: readonly T[], value: string): T | null {
  return (values as readonly string[]).includes(value) ? (value as T) : null;
}

/** Kinds that are someone's writing; the others are named by their kind (a photo, a place). */
const WRITING: readonly MessageKind[] = ['text', 'template', 'reply', 'story_reply'];

export function isWriting(kind: MessageKind): boolean {
  return WRITING.includes(kind);
}
