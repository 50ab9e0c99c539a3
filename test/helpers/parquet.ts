// Reads Parquet with hyparquet: an independent reader (pure JS, no DuckDB) to cross-check DuckDB.
import { readFile } from 'node:fs/promises';
import { parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

async function arrayBuffer(path: string): Promise<ArrayBuffer> {
  const bytes = await readFile(path);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export async function readParquetRows(path: string, columns?: string[]): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ file: await arrayBuffer(path), compressors, ...(columns ? { columns } : {}) });
}

export async function readParquetMetadata(path: string): Promise<FileMetaData> {
  return parquetMetadataAsync(await arrayBuffer(path));
}
