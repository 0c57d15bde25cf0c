/**
 * One file of a dataset read through a {@linkcode Storage}: ranged reads for the Parquet
 * footer and the whole file in chunks for the CSV pass, each failure named the way the
 * dataset names the file.
 * @module
 */
import type { DataSourceError } from "../core/errors.ts";
import { type Storage, StorageError } from "../storage/storage.ts";
import type { DataFile } from "./file_set.ts";
import { storageRangeReader } from "./parquet_footer.ts";

/** What a dataset knows of one of its files. */
export interface StoredFile {
  /** Its key in the storage. */
  key: string;
  /** What Polars scans: a local path or `s3://bucket/key`. */
  path: string;
  /** How messages name it. */
  name: string;
  size: number;
}

/** A file of the dataset; storage failures are renamed by `rename`. */
export function storedFile(
  storage: Storage,
  file: StoredFile,
  rename: (error: StorageError) => DataSourceError,
): DataFile {
  const renamed = (error: unknown) => error instanceof StorageError ? rename(error) : error;
  const reader = storageRangeReader(storage, file.key, file.size);
  return {
    path: file.path,
    name: file.name,
    reader: () =>
      Promise.resolve({
        size: reader.size,
        read: (start, end) =>
          reader.read(start, end).catch((error) => Promise.reject(renamed(error))),
      }),
    chunks: async function* () {
      try {
        yield* storage.chunks(file.key);
      } catch (error) {
        throw renamed(error);
      }
    },
  };
}
