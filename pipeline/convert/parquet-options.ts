// How curated Parquet is written. Only Parquet 1.0 encodings (PLAIN, RLE_DICTIONARY) so that
// every reader Athena, Spark or pandas ships can read the files; ZSTD for size.
export const PARQUET_COPY_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880";
