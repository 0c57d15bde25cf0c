/**
 * `deno task doc:lint`: `deno doc --lint mod.ts`, minus one known false positive.
 *
 * deno doc calls every type that `mod.ts` does not export "private", including the public
 * types of npm packages our API mentions (zod's `ZodType`, Polars' `Expr` and `Series`); see
 * denoland/deno#27364. Re-exporting them would pull those packages' whole APIs (and their
 * missing docs) into ours, so `private-type-ref` diagnostics about exactly these names are
 * dropped. Every other diagnostic is printed and fails the check.
 * @module
 */

/** npm types the public API references on purpose. */
export const NPM_TYPES: ReadonlySet<string> = new Set(["ZodType", "Expr", "Series"]);

/** The diagnostics of `deno doc --lint` output that are not about {@linkcode NPM_TYPES}. */
export function realDiagnostics(output: string): string[] {
  return output
    .split(/^(?=(?:error|warning)\[)/m)
    .map((block) => block.replace(/^error: Found \d+ documentation lint errors?\.[\s\S]*$/m, ""))
    .filter((block) => /^(?:error|warning)\[/.test(block))
    .filter((block) => {
      const npmType = block.match(
        /^error\[private-type-ref\]: .* references private type '([^']+)'/,
      );
      return !(npmType && NPM_TYPES.has(npmType[1]));
    })
    .map((block) => block.trimEnd());
}

if (import.meta.main) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", "mod.ts"],
    env: { NO_COLOR: "1" },
    cwd: new URL("../", import.meta.url),
  }).output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  const diagnostics = realDiagnostics(output);
  if (diagnostics.length > 0) {
    console.error(diagnostics.join("\n\n"));
    console.error(`\ndeno doc --lint: ${diagnostics.length} problem(s)`);
    Deno.exit(1);
  }
  if (code !== 0 && !/documentation lint error/.test(output)) {
    console.error(output); // deno doc failed for another reason (e.g. a type error)
    Deno.exit(code);
  }
  console.log(
    "deno doc --lint mod.ts: ok (npm types referenced: " + [...NPM_TYPES].join(", ") + ")",
  );
}
