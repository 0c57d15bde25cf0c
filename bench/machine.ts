/**
 * The machine a benchmark ran on, recorded next to its figures.
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { VERSION } from "../src/core/version.ts";

/** Cores, memory, OS and versions. */
export interface Machine {
  cores: number;
  memory_gb: number;
  cpu: string;
  os: string;
  kernel: string;
  deno: string;
  v8: string;
  kontra: string;
  nodejs_polars: string;
  duckdb: string;
}

function read(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** Describes this machine. */
export async function describeMachine(): Promise<Machine> {
  const memKib = Number(/^MemTotal:\s+(\d+)/m.exec(read("/proc/meminfo"))?.[1] ?? 0);
  const osName = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(read("/etc/os-release"))?.[1] ?? Deno.build.os;
  const cpu = /^model name\s*:\s*(.*)$/m.exec(read("/proc/cpuinfo"))?.[1] ?? "unknown";
  const imports = JSON.parse(read(new URL("../deno.json", import.meta.url).pathname)).imports ?? {};
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const duckdbVersion = String(
    (await connection.runAndReadAll("SELECT version()")).getRows()[0][0],
  );
  connection.closeSync();
  instance.closeSync();
  return {
    cores: navigator.hardwareConcurrency,
    memory_gb: Math.round(memKib / 1024 / 1024 * 10) / 10,
    cpu,
    os: osName,
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    kontra: VERSION,
    nodejs_polars: String(imports["nodejs-polars"] ?? "").replace(/^npm:nodejs-polars@/, ""),
    duckdb: duckdbVersion,
  };
}
