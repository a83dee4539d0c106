import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { foldVietnamese } from '../../functions/domain/catalog.js';
import type { Sheet, SheetRow } from './rows.js';

/**
 * A procedure list file as sheets of text cells with their line numbers: xlsx (the national database's
 * export, or a decision's annex saved as a workbook) or CSV (UTF-8, comma-separated, quoted cells may
 * span lines). A workbook may carry a second sheet of agencies, found by its name ("Cơ quan …").
 */
export interface ImportFile {
  readonly procedures: Sheet;
  readonly agencies?: Sheet;
}

export class UnreadableFile extends Error {}

export async function readImportFile(path: string): Promise<ImportFile> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return { procedures: readCsv(path, 'CSV') };
  if (ext === '.xlsx') return readXlsx(path);
  throw new UnreadableFile(`${path}: not a .xlsx or .csv file`);
}

export function readCsv(path: string, sheetName: string): Sheet {
  const text = readFileSync(path, 'utf8');
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, relax_column_count: true, info: true, skip_empty_lines: false }) as unknown as typeof parsed;
  } catch (err) {
    throw new UnreadableFile(`${path}: not valid CSV: ${(err as Error).message}`);
  }
  // csv-parse reports the line a record ends on; a record starts right after the previous one
  let next = 1;
  const rows: SheetRow[] = [];
  for (const { record, info } of parsed) {
    rows.push({ line: next, cells: record });
    next = info.lines + 1;
  }
  return { name: sheetName, rows };
}

async function readXlsx(path: string): Promise<ImportFile> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(path);
  } catch (err) {
    throw new UnreadableFile(`${path}: not a readable xlsx workbook: ${(err as Error).message}`);
  }
  const sheets = workbook.worksheets.map((ws): Sheet => {
    const rows: SheetRow[] = [];
    const width = ws.columnCount;
    ws.eachRow({ includeEmpty: false }, (row, line) => {
      const cells: string[] = [];
      for (let c = 1; c <= width; c++) cells.push(row.getCell(c).text ?? '');
      rows.push({ line, cells });
    });
    return { name: ws.name, rows };
  });
  const isAgencies = (s: Sheet) => foldVietnamese(s.name).includes('co quan');
  const procedures = sheets.find((s) => !isAgencies(s));
  if (!procedures) throw new UnreadableFile(`${path}: no sheet of procedures`);
  const agencies = sheets.find(isAgencies);
  return agencies ? { procedures, agencies } : { procedures };
}
