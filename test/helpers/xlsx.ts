// Opening a workbook as Excel would, with exceljs, to check what a report file holds.
import ExcelJS from 'exceljs';

export async function readXlsx(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return workbook;
}

/** The sheet's rows from `from` (1-based) on, as arrays of cell values (column A first). */
export function sheetRows(sheet: ExcelJS.Worksheet, from = 1): ExcelJS.CellValue[][] {
  const rows: ExcelJS.CellValue[][] = [];
  for (let r = from; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    rows.push(Array.from({ length: sheet.columnCount }, (_, c) => row.getCell(c + 1).value));
  }
  return rows;
}
