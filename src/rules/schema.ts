/**
 * `schema` (a dataset rule, id `DATASET:schema`): the dataset's columns against the ones
 * the Kontract expects, each optionally with a type as `dtype` names it (`int`,
 * `string`, `datetime_tz`, `int64`, …). failed_count is the number of problems found:
 *
 * - missing: an expected column the data lacks;
 * - mistyped: an expected column of another type, or one whose files disagree on it
 *   (it drifted: some files lack it or type it differently);
 * - unexpected (`exact`, `ordered`): a column the Kontract does not list;
 * - out of place (`ordered`): a column found and expected, at another position among them.
 *
 * `mode: contains` allows extra columns. Answered from the schema alone: no row is read.
 * @module
 */
import { closest } from "npm:fastest-levenshtein@1.0.16";
import { z } from "npm:zod@4.6.7";
import type { Schema } from "../core/dataset.ts";
import { defineRule } from "./define.ts";
import { isTypeName, TYPE_NAMES, typeMatches } from "./type_families.ts";

const TypeName = z.string().refine(isTypeName, {
  message: `unknown type; expected one of ${TYPE_NAMES.join(", ")}`,
});
const Name = z.string().min(1, { error: "a column name cannot be empty" });

/** One expected column; `type` undefined when any type will do. */
interface ExpectedColumn {
  name: string;
  type?: string;
}

/**
 * `columns` as a map (name → type, or null for any type) or, to keep an order a map
 * cannot (JavaScript puts names like `2024` first), a list of names and `{ name: type }`.
 */
const Columns = z.union([
  z.array(
    z.union([
      Name,
      z.record(Name, TypeName).refine((entry) => Object.keys(entry).length === 1, {
        message: "a list entry is a name or one `name: type`",
      }),
    ]),
  ).min(1, { error: "lists no column" }),
  z.record(Name, TypeName.nullable()).refine((map) => Object.keys(map).length > 0, {
    message: "lists no column",
  }),
]);

const Params = z.strictObject({
  columns: Columns,
  mode: z.enum(["exact", "contains", "ordered"]).optional(),
}).superRefine(({ columns }, context) => {
  const names = expectedColumns(columns).map((column) => column.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) {
    context.addIssue({ code: "custom", path: ["columns"], message: `lists ${repeated} twice` });
  }
});

type Params = z.infer<typeof Params>;

/** Checks the dataset's columns and their types. */
export default defineRule({
  name: "schema",
  scope: "dataset",
  params: Params,
  measure: () => ({ kind: "schema" }),
  evaluate: (params, { schema }) => schemaProblems(params, schema!).length,
  describe: (params, { observed }) => {
    const problems = schemaProblems(params, observed.schema!);
    const columns = observed.schema!.columns.length;
    return problems.length === 0
      ? `${columns} columns match the schema (${params.mode ?? "exact"})`
      : `schema (${params.mode ?? "exact"}) differs: ${problems.join("; ")}`;
  },
});

/** The expected columns in the order written. */
function expectedColumns(columns: Params["columns"]): ExpectedColumn[] {
  if (!Array.isArray(columns)) {
    return Object.entries(columns).map(([name, type]) => ({ name, ...(type ? { type } : {}) }));
  }
  return columns.map((entry) => {
    if (typeof entry === "string") return { name: entry };
    const [[name, type]] = Object.entries(entry);
    return { name, type };
  });
}

/** One line per problem, in the order: missing, mistyped, unexpected, out of place. */
export function schemaProblems(params: Params, schema: Schema): string[] {
  const mode = params.mode ?? "exact";
  const expected = expectedColumns(params.columns);
  const actual = new Map(schema.columns.map((column) => [column.name, column]));
  const drifted = new Map(schema.drift?.map((drift) => [drift.column, drift.message]));
  const wanted = new Set(expected.map((column) => column.name));
  const unexpected = [...actual.keys(), ...drifted.keys()].filter((name) => !wanted.has(name));
  const problems: string[] = [];
  for (const { name, type } of expected) {
    const column = actual.get(name);
    if (drifted.has(name)) {
      problems.push(drifted.get(name)!);
    } else if (column === undefined) {
      const hint = unexpected.length > 0 ? ` (did you mean ${closest(name, unexpected)}?)` : "";
      problems.push(`missing ${name}${hint}`);
    } else if (type !== undefined && !typeMatches(type, column.dtype, column.timeZone)) {
      problems.push(`${name} is ${column.dtype}, expected ${type}`);
    }
  }
  if (mode !== "contains") {
    problems.push(...unexpected.map((name) => `unexpected ${name}`));
  }
  if (mode === "ordered") {
    const found = schema.columns.map((column) => column.name).filter((name) => wanted.has(name));
    const order = expected.map((column) => column.name).filter((name) => actual.has(name));
    const position = (names: string[], name: string) => names.indexOf(name) + 1;
    const written = expected.map((column) => column.name);
    const read = schema.columns.map((column) => column.name);
    problems.push(
      ...found.filter((name, index) => order[index] !== name).map((name) =>
        `${name} out of order (column ${position(read, name)}, expected ${position(written, name)})`
      ),
    );
  }
  return problems;
}
