import pl from "nodejs-polars";
import { peakRssBytes } from "../../src/engine/peak_rss.ts";
const [exp, target, arg] = Deno.args;
const glob = `${target}/*.parquet`;
const scan = () => pl.scanParquet(glob);
const S = { engine: "streaming" } as any;
const t = performance.now();
let out: any;
const lit = (s: string) => pl.lit(s);
const preds = [
  pl.col("email").isNotNull().and(pl.col("email").str.contains("^[^@\\s]+@[^@\\s]+\\.[a-z]+$").not()),
  pl.col("name").isNotNull().and(pl.col("name").str.contains("^User [0-9]+$").not()),
  pl.col("country").isNotNull().and(["US","DE","FR","JP","BR"].map((v) => pl.col("country").eq(lit(v))).reduce((a,b)=>a.or(b)).not()),
  pl.col("status").isNotNull().and(["active","inactive"].map((v) => pl.col("status").eq(lit(v))).reduce((a,b)=>a.or(b)).not()),
];
const aggs = preds.map((p, i) => p.cast(pl.UInt32).sum().alias(`c${i}`));
switch (exp) {
  case "main-filter":
    out = scan().select("email","name","country","status").filter(preds.reduce((a,b)=>a.or(b))).select(...aggs).collectSync(S); break;
  case "main-nofilter":
    out = scan().select("email","name","country","status").select(...aggs, pl.len().alias("n")).collectSync(S); break;
  case "uniq-group": { // group by column, partition count arg
    const P = Number(arg ?? 1); let total = 0;
    const col = Deno.args[3] ?? "email";
    for (let p = 0; p < P; p++) {
      let v = scan().select(col).filter(pl.col(col).isNotNull());
      if (P > 1) v = v.filter(pl.col(col).hash(0,0,0,0).cast(pl.UInt64).modulo(pl.lit(P).cast(pl.UInt64)).eq(pl.lit(p).cast(pl.UInt64)));
      const r = v.groupBy(col).agg(pl.len().alias("n")).filter(pl.col("n").gt(1)).select(pl.col("n").sub(1).cast(pl.UInt64).sum().alias("n")).collectSync(S);
      total += Number(r.getColumn("n").get(0) ?? 0);
    }
    out = { total }; break;
  }
  case "uniq-hashgroup": { // group by u64 hash, partition by hash
    const P = Number(arg ?? 1); let total = 0; let cands = 0;
    const col = Deno.args[3] ?? "email";
    for (let p = 0; p < P; p++) {
      const h = pl.col(col).hash(0,0,0,0).cast(pl.UInt64).alias("h");
      let v = scan().select(col).filter(pl.col(col).isNotNull()).select(h);
      if (P > 1) v = v.filter(pl.col("h").modulo(pl.lit(P).cast(pl.UInt64)).eq(pl.lit(p).cast(pl.UInt64)));
      const r = v.groupBy("h").agg(pl.len().alias("n")).filter(pl.col("n").gt(1)).select(pl.col("n").sub(1).cast(pl.UInt64).sum().alias("n"), pl.len().alias("k")).collectSync(S);
      total += Number(r.getColumn("n").get(0) ?? 0); cands += Number(r.getColumn("k").get(0) ?? 0);
    }
    out = { total, cands }; break;
  }
  case "nunique": {
    const col = arg ?? "email";
    out = scan().select(pl.col(col).count().alias("c"), pl.col(col).nUnique().alias("u")).collectSync(S); break;
  }
  case "hashsink": {
    const col = arg ?? "email";
    scan().select(pl.col(col).hash(0,0,0,0).cast(pl.UInt64).alias("h")).sinkIpc("/tmp/kb/h.arrow", {compression: "uncompressed"} as any).collectSync(S);
    out = { size: Deno.statSync("/tmp/kb/h.arrow").size }; break;
  }
}
console.log(exp, arg ?? "", ((performance.now()-t)/1000).toFixed(2), "s", Math.round(peakRssBytes()/1e6), "MB", JSON.stringify(out?.toRecords?.() ?? out));
