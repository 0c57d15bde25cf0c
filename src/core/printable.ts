/**
 * Names (paths, URIs) as they appear in one-line messages. A name holding a line break
 * or another control character would split or garble the line, and an empty one would
 * vanish: such names are written JSON-style (`"a\nb.yml"`, `""`); every other name is
 * written as it is.
 *
 * This module imports nothing from the rest of Kontra: it is shared vocabulary.
 * @module
 */

// C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
// deno-lint-ignore no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** `name` as it may appear inside a one-line message. */
export function printable(name: string): string {
  if (name !== "" && !UNPRINTABLE.test(name)) return name;
  return JSON.stringify(name).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
