/**
 * The real PostgreSQL parser (libpg_query, from the `libpg-query` package's WASM build),
 * loaded lazily once, giving the raw parse tree as libpg_query's JSON.
 *
 * The package's own wrapper keeps one WASM instance for the life of the process. A tree
 * nested deeper than the JavaScript stack allows (`a + a + … + a`, 20,000 terms) makes
 * the parser throw a RangeError from inside the WASM code, which leaves the PostgreSQL
 * error state in that instance broken: the next, ordinary parse then fails or worse. So
 * this file talks to the WASM module itself and throws an instance away after any
 * failure that is not a parse error.
 * @module
 */

/** The few exports of libpg_query's Emscripten module this file uses. */
interface PgQueryWasm {
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, pointer: number, bytes: number): void;
  UTF8ToString(pointer: number): string;
  getValue(pointer: number, type: "i32"): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _wasm_parse_query_raw(query: number): number;
  _wasm_free_parse_result(result: number): void;
}

/** What the parser says about a text: the raw tree, or the parser's error. */
export type PostgresParse =
  | { readonly tree: RawParseTree }
  | { readonly error: string; readonly position: number };

/** libpg_query's raw parse result. */
export interface RawParseTree {
  stmts?: { stmt?: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[];
}

/** Thrown when the parser itself broke (not a syntax error); the instance is discarded. */
export class ParserCrash extends Error {
  /** The parse tree was nested deeper than the stack allows. */
  readonly tooDeep: boolean;

  constructor(message: string, tooDeep = false) {
    super(message);
    this.tooDeep = tooDeep;
  }
}

let instance: Promise<PgQueryWasm> | undefined;

function wasm(): Promise<PgQueryWasm> {
  if (instance === undefined) {
    const loading = import("npm:libpg-query@17.7.4/wasm/libpg-query.js")
      .then(({ default: createModule }) => (createModule as () => Promise<PgQueryWasm>)());
    // A failed load is tried again next time rather than remembered.
    loading.catch(() => {
      if (instance === loading) instance = undefined;
    });
    instance = loading;
  }
  return instance;
}

/**
 * Parses `sql` as PostgreSQL 17 does. A syntax error comes back as `error` with the
 * 1-based character `position` PostgreSQL reports (0 when it names none). Throws
 * `ParserCrash` when the parser broke; the next call gets a fresh instance.
 */
export async function parsePostgres(sql: string): Promise<PostgresParse> {
  const loading = wasm();
  const module = await loading;
  const bytes = module.lengthBytesUTF8(sql) + 1;
  const query = module._malloc(bytes);
  let result = 0;
  try {
    module.stringToUTF8(sql, query, bytes);
    result = module._wasm_parse_query_raw(query);
    if (!result) throw new ParserCrash("the parser returned nothing");
    // struct { char* parse_tree; char* stderr_buffer; PgQueryError* error; }
    const tree = module.getValue(result, "i32");
    const error = module.getValue(result + 8, "i32");
    if (error) {
      // struct { char* message; char* funcname; char* filename; int lineno; int cursorpos; … }
      const message = module.UTF8ToString(module.getValue(error, "i32"));
      return { error: message, position: module.getValue(error + 16, "i32") };
    }
    return { tree: JSON.parse(module.UTF8ToString(tree)) as RawParseTree };
  } catch (error) {
    // Whatever broke may have left the instance's state broken: never use it again.
    if (instance === loading) instance = undefined;
    result = 0;
    throw error instanceof ParserCrash
      ? error
      : new ParserCrash(String(error), error instanceof RangeError);
  } finally {
    if (instance === loading) {
      module._free(query);
      if (result) module._wasm_free_parse_result(result);
    }
  }
}
