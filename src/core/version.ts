/** Kontra's version, as published. Kept in step with deno.json by a test. */
export const VERSION = "0.1.0";
