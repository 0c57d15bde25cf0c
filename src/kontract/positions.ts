/**
 * Where things are in a Kontract file, so that every error names file:line:column
 * and the field: `kontract.yml:7:5: rules[2].params.pattern: required`.
 *
 * Parsing is bounded: aliases may add at most {@linkcode MAX_ALIAS_EXPANSION} values to
 * the document (a "billion laughs" file is refused before it is expanded), an alias
 * inside the node it names is refused (it would expand forever), and nesting too deep
 * for the parser is an error at its line, not a crash.
 * @module
 */
import {
  type Document,
  isAlias,
  isCollection,
  isPair,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "npm:yaml@2.9.1";
import { printable } from "../core/printable.ts";
import { KontractError } from "../core/errors.ts";

/** How many values aliases (`*name`) may add to a Kontract when expanded. */
export const MAX_ALIAS_EXPANSION = 100_000;

/** A path into the document, e.g. `["rules", 2, "params", "pattern"]`. */
export type FieldPath = readonly PropertyKey[];

/** `rules[2].params.pattern` */
export function formatPath(path: FieldPath): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === "number") return `${text}[${key}]`;
    // A key holding a line break is written JSON-style: the error stays one line.
    const name = printable(String(key));
    return text === "" ? name : `${text}.${name}`;
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

  /** Parses YAML text; syntax errors become one-line Kontract errors at their line. */
  static parse(label: string, text: string): { origin: KontractOrigin; value: unknown } {
    const lines = new LineCounter();
    // Errors only: the library would write its warnings to stderr itself.
    const document = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      logLevel: "error",
    });
    const [problem] = document.errors;
    if (problem) {
      // `linePos` is only filled with `prettyErrors`; the line counter knows it anyway.
      const start = problem.linePos?.[0] ?? lines.linePos(problem.pos[0]);
      const where = `${label}:${start.line}:${start.col}`;
      throw new KontractError(`${where}: invalid YAML: ${yamlProblem(problem.message)}`);
    }
    const at = (offset: number | undefined) => {
      const { line, col } = lines.linePos(offset ?? 0);
      return `${label}:${line}:${col}`;
    };
    const found = checkNodes(document);
    if (found) throw new KontractError(`${at(found.offset)}: invalid YAML: ${found.problem}`);
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: -1 });
    } catch (error) {
      // The library's message may quote the alias name, which could be anything (a secret).
      const deep = error instanceof RangeError;
      throw new KontractError(
        `${at(document.contents?.range?.[0])}: invalid YAML: ${
          deep ? "nested too deeply" : "its aliases cannot be expanded"
        }`,
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
    if (path.some((key) => typeof key === "symbol")) return this.#at(0);
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
    // An empty document: its first line.
    return this.#at(0);
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

/** The first line of a parser message, in words for a user. */
function yamlProblem(message: string): string {
  const first = message.split("\n")[0];
  return /call stack/i.test(first) ? "nested too deeply" : first;
}

/**
 * Checks the document before it is expanded: mapping keys are plain values, and every
 * alias names an anchor defined before it, outside itself, all of them together adding
 * at most {@linkcode MAX_ALIAS_EXPANSION} values. Returns the first problem and its offset.
 */
function checkNodes(document: Document): { offset?: number; problem: string } | undefined {
  // An alias names the last node with that anchor before it (the YAML spec, and the
  // library): anchors seen so far in document order, parents before their items.
  const anchors = new Map<string, Node>();
  const sources = new Map<Node, Node>();
  let first: { offset?: number; problem: string } | undefined;
  visit(document, (_key, node) => {
    // The library would stringify a collection key with a warning on stderr.
    if (isPair(node) && (isCollection(node.key) || isAlias(node.key))) {
      const key = node.key as Node;
      first = { offset: key.range?.[0], problem: "a mapping key must be a plain value" };
      return visit.BREAK;
    }
    if (isAlias(node)) {
      const source = anchors.get(node.source);
      if (source === undefined) {
        first = {
          offset: node.range?.[0],
          problem: "an alias (*name) refers to no anchor (&name) defined before it",
        };
        return visit.BREAK;
      }
      sources.set(node, source);
      first ??= { offset: node.range?.[0], problem: "" };
    } else {
      const anchor = (node as { anchor?: string } | null)?.anchor;
      if (anchor && node) anchors.set(anchor, node as Node);
    }
  });
  if (first === undefined || first.problem !== "") return first;
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let cycle: Node | undefined;
  // Values a node stands for once its aliases are expanded (memoised: linear time). An
  // alias whose anchor's node is still being sized sits inside it: a cycle.
  const size = (node: unknown): number => {
    if (isPair(node)) return size(node.key) + size(node.value);
    if (!isAlias(node) && !isCollection(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (isAlias(node) && open.has(sources.get(node)!)) {
      cycle ??= node;
      return 1;
    }
    open.add(node);
    const total = isAlias(node)
      ? size(sources.get(node))
      : 1 + node.items.reduce<number>((sum, item) => sum + size(item), 0);
    open.delete(node);
    sizes.set(node, total);
    return total;
  };
  let rawValues = 0;
  visit(document, (_key, node) => {
    if (!isPair(node)) rawValues++;
  });
  let expanded: number;
  try {
    expanded = size(document.contents);
  } catch (error) {
    if (error instanceof RangeError) {
      return { offset: document.contents?.range?.[0], problem: "nested too deeply" };
    }
    throw error;
  }
  if (cycle !== undefined) {
    return {
      offset: cycle.range?.[0],
      problem: "an alias (*name) inside the node its anchor names would repeat forever",
    };
  }
  if (expanded - rawValues > MAX_ALIAS_EXPANSION) {
    return {
      offset: first.offset,
      problem:
        `aliases (*name) expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString("en-US")} ` +
        `values (an alias bomb?)`,
    };
  }
  return undefined;
}
