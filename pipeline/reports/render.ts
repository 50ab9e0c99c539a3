// One report table to the bytes of a file in one format.
import type { ReportFormat } from './definitions.ts';
import { renderCsv } from './render-csv.ts';
import { renderParquet } from './render-parquet.ts';
import type { ReportTable } from './report-table.ts';
import { renderXlsx } from './render-xlsx.ts';

export async function renderReport(table: ReportTable, format: ReportFormat): Promise<Uint8Array> {
  switch (format) {
    case 'csv':
      return renderCsv(table);
    case 'xlsx':
      return renderXlsx(table);
    case 'parquet':
      return renderParquet(table);
  }
}
