/**
 * Parquet footers through ranged reads: every file's schema (compared across the files of
 * a dataset) and the statistics of the metadata tier, a few KiB per file.
 * @module
 */
import {
  type ColumnChunk,
  type FileMetaData,
  parquetMetadataAsync,
  type RowGroup,
} from "npm:hyparquet@1.33.0";
import { DataSourceError, describeError } from "../core/errors.ts";
import type { DatasetStats } from "../core/dataset.ts";
import { footerBounds, STATISTICS_PARSERS } from "./parquet_bounds.ts";
import { LocalStorage } from "../storage/local.ts";
import type { Storage } from "../storage/storage.ts";

/** Random access to a file's bytes; `end` is exclusive. */
export interface ByteRangeReader {
  readonly size: number;
  read(start: number, end: number): Promise<ArrayBuffer>;
}

// Well inside one Polars data page, by rows and by bytes (see untrustedNullCount).
const SINGLE_PAGE_ROWS = 131_072;
const SINGLE_PAGE_BYTES = 512 * 1024;

// Most footers fit in a few KiB; a larger one costs a second exact read.
const FIRST_READ_BYTES = 8 * 1024;

/** Reads the footers of one or more Parquet files and sums them into dataset statistics. */
export async function readParquetStats(readers: ByteRangeReader[]): Promise<DatasetStats> {
  const footers = await readParquetFooters(
    readers.map((reader, index) => ({ name: `file ${index + 1}`, reader })),
  );
  return footerStats(footers);
}

/** A file's footer and what reading it cost. */
export interface ParquetFooter {
  /** The file as messages name it. */
  name: string;
  metadata: FileMetaData;
  bytesRead: number;
}

/**
 * Every file's footer, one file after another. A file that is not readable Parquet
 * (0 bytes, cut short, not Parquet, a corrupt footer) is a DataSourceError naming it
 * (exit 3); an error of the storage itself (S3 access denied) passes unchanged.
 */
export async function readParquetFooters(
  files: { name: string; reader: ByteRangeReader }[],
): Promise<ParquetFooter[]> {
  const footers: ParquetFooter[] = [];
  for (const { name, reader } of files) {
    let bytesRead = 0;
    const counting = {
      byteLength: reader.size,
      slice: async (start: number, end?: number) => {
        const bytes = await reader.read(start, end ?? reader.size);
        bytesRead += bytes.byteLength;
        return bytes;
      },
    };
    try {
      if (reader.size < MIN_PARQUET_BYTES) {
        throw new Error(`${reader.size} bytes, too short for Parquet (at least 12)`);
      }
      const metadata = await parquetMetadataAsync(counting, {
        initialFetchSize: FIRST_READ_BYTES,
        // Statistics as exact integers (timestamps with their unit, dates as days).
        parsers: STATISTICS_PARSERS,
      });
      footers.push({ name, metadata, bytesRead });
    } catch (error) {
      if (error instanceof DataSourceError) throw error;
      throw new DataSourceError(`${name}: cannot read Parquet: damaged file, ${damage(error)}`, 3);
    }
  }
  return footers;
}

// Magic bytes at both ends and the footer's length: the smallest possible file.
const MIN_PARQUET_BYTES = 12;

/** What is wrong with a file hyparquet could not read, in words. */
function damage(error: unknown): string {
  const reason = describeError(error);
  if (/footer != PAR1/.test(reason)) {
    return "it does not end with the Parquet magic bytes PAR1 (cut short, or not Parquet)";
  }
  if (/metadata length|outside the bounds|out of range/i.test(reason)) {
    return `its footer is cut short (${reason})`;
  }
  if (/bytes, too short/.test(reason)) return reason;
  return `its footer is corrupt (${reason})`;
}

/** Statistics summed over the footers of every file. */
export function footerStats(footers: ParquetFooter[]): DatasetStats {
  const metadata = footers.map((footer) => footer.metadata);
  const nullCounts = sumNullCounts(metadata);
  return {
    rows: metadata.reduce((sum, footer) => sum + Number(footer.num_rows), 0),
    rowGroups: metadata.reduce((sum, footer) => sum + footer.row_groups.length, 0),
    bytesRead: footers.reduce((sum, footer) => sum + footer.bytesRead, 0),
    nullCount: (column) => nullCounts.get(column),
    bounds: footerBounds(
      metadata,
      (footer, group, chunk) => !untrustedNullCount(footer, group, chunk),
    ),
  };
}

/**
 * Exact NULL counts per top-level column; a column is left out when any row group
 * lacks the statistic, since a partial sum would be a wrong answer.
 */
function sumNullCounts(footers: FileMetaData[]): Map<string, number> {
  const sums = new Map<string, number>();
  const incomplete = new Set<string>();
  for (const footer of footers) {
    for (const group of footer.row_groups) {
      for (const chunk of group.columns) {
        const path = chunk.meta_data?.path_in_schema ?? [];
        if (path.length !== 1) continue; // nested columns are not rule targets
        const [column] = path;
        const nulls = chunk.meta_data?.statistics?.null_count;
        if (nulls === undefined || untrustedNullCount(footer, group, chunk)) incomplete.add(column);
        else sums.set(column, (sums.get(column) ?? 0) + Number(nulls));
      }
    }
  }
  for (const column of incomplete) sums.delete(column);
  return sums;
}

/**
 * Polars' Parquet writer (as in nodejs-polars 0.25.2's `writeParquet`) records twice
 * the real null_count for a dictionary-encoded column once its row group spans several
 * pages (measured: exact at 200k rows, 2,844 for 1,422 NULLs at 300k). Such counts are
 * not used unless the chunk is small enough to be a single page; the scan counts the
 * column instead. Other writers' statistics are trusted.
 */
function untrustedNullCount(footer: FileMetaData, group: RowGroup, chunk: ColumnChunk): boolean {
  const meta = chunk.meta_data;
  const encodings = meta?.encodings ?? [];
  const dictionary = encodings.includes("RLE_DICTIONARY") ||
    encodings.includes("PLAIN_DICTIONARY");
  if (!dictionary || !/^polars/i.test(footer.created_by ?? "")) return false;
  const onePage = Number(group.num_rows) <= SINGLE_PAGE_ROWS &&
    Number(meta?.total_uncompressed_size ?? 0) <= SINGLE_PAGE_BYTES;
  return !onePage;
}

/** A range reader over one object of a storage, `size` bytes long. */
export function storageRangeReader(storage: Storage, key: string, size: number): ByteRangeReader {
  return {
    size,
    async read(start, end) {
      const bytes = await storage.readRange(key, start, end);
      return bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
    },
  };
}

/** A range reader over a local file. */
export async function localRangeReader(path: string): Promise<ByteRangeReader> {
  const storage = new LocalStorage("");
  return storageRangeReader(storage, path, (await storage.stat(path)).size);
}
