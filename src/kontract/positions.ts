/**
 * Where things are in a Kontract file, so that every error names file:line:column
 * and the field: `kontract.yml:7:5: rules[2].params.pattern: required`.
 * @module
 */
import { type Document, isAlias, LineCounter, parseDocument, visit } from "yaml";
import { KontractError } from "../errors.ts";

/** A path into the document, e.g. `["rules", 2, "params", "pattern"]`. */
export type FieldPath = readonly PropertyKey[];

/** `rules[2].params.pattern` */
export function formatPath(path: FieldPath): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === "number") return `${text}[${key}]`;
    return text === "" ? String(key) : `${text}.${String(key)}`;
  }, "");
}

/** A Kontract's text source (or an in-memory object) that can point at a field. */
export class KontractOrigin {
  /** How the file is named in messages. */
  readonly label: string;
  readonly #document?: Document;
  readonly #lines?: LineCounter;

  private constructor(label: string, document?: Document, lines?: LineCounter) {
    this.label = label;
    this.#document = document;
    this.#lines = lines;
  }

  /** An origin for a Kontract given as an object: errors name only the field. */
  static inMemory(): KontractOrigin {
    return new KontractOrigin("<kontract>");
  }

  /** Parses YAML text; syntax errors become one-line Kontract errors. */
  static parse(label: string, text: string): { origin: KontractOrigin; value: unknown } {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    const [problem] = document.errors;
    if (problem) {
      // `linePos` is only filled with `prettyErrors`; the line counter knows it anyway.
      const start = problem.linePos?.[0] ?? lines.linePos(problem.pos[0]);
      const where = `${label}:${start.line}:${start.col}`;
      throw new KontractError(`${where}: invalid YAML: ${problem.message.split("\n")[0]}`);
    }
    let value: unknown;
    try {
      value = document.toJS();
    } catch {
      // The library's message quotes the alias name, which could be anything (a secret).
      const alias = firstUnresolvedAlias(document);
      if (alias === undefined) {
        throw new KontractError(`${label}: invalid YAML: its aliases cannot be expanded`);
      }
      const { line, col } = lines.linePos(alias);
      throw new KontractError(
        `${label}:${line}:${col}: invalid YAML: an alias (*name) refers to no anchor ` +
          `(&name) defined before it`,
      );
    }
    return { origin: new KontractOrigin(label, document, lines), value };
  }

  /**
   * `file:line:col` of the deepest node of `path` that exists, or just the label.
   * With `atKey`, points at the last key itself rather than its value (for unknown fields).
   */
  locate(path: FieldPath, atKey = false): string {
    if (!this.#document || !this.#lines) return this.label;
    if (atKey && path.length > 0) {
      // deno-lint-ignore no-explicit-any
      const parent = this.#document.getIn(path.slice(0, -1) as any[], true) as any;
      // deno-lint-ignore no-explicit-any
      const pair = parent?.items?.find((item: any) => item?.key?.value === path.at(-1));
      const offset = pair?.key?.range?.[0];
      if (typeof offset === "number") return this.#at(offset);
    }
    for (let depth = path.length; depth >= 0; depth--) {
      // deno-lint-ignore no-explicit-any
      const node = this.#document.getIn(path.slice(0, depth) as any[], true) as any;
      const offset = node?.range?.[0];
      if (typeof offset === "number") return this.#at(offset);
    }
    return this.label;
  }

  /** A Kontract error pointing at `path` (at its key with `atKey`). */
  error(path: FieldPath, message: string, atKey = false): KontractError {
    const field = formatPath(path);
    return new KontractError(
      `${this.locate(path, atKey)}: ${field ? `${field}: ` : ""}${message}`,
    );
  }

  #at(offset: number): string {
    const { line, col } = this.#lines!.linePos(offset);
    return `${this.label}:${line}:${col}`;
  }
}

/** Offset of the first alias whose anchor is not defined before it, if any. */
function firstUnresolvedAlias(document: Document): number | undefined {
  const anchors = new Set<string>();
  let offset: number | undefined;
  visit(document, (_key, node) => {
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (isAlias(node)) {
      if (!anchors.has(node.source)) {
        offset = node.range?.[0];
        return visit.BREAK;
      }
    } else if (anchor) {
      anchors.add(anchor);
    }
  });
  return offset;
}
