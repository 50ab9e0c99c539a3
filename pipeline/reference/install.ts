// Installing a reference table: validate, then replace the table's one CSV object whole. The
// store's put is atomic (S3 PUT; FolderStore write-and-rename), so readers see the old table or
// the new one, and a file that fails validation changes nothing.
import type { ReferenceTableName } from '../schema/reference.ts';
import { referenceKey } from '../storage/keys.ts';
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store.ts';
import { validateReferenceCsv, type ReferenceRow, type ReferenceValidation } from './validate.ts';

export type InstallResult = ReferenceValidation & { key: string };

export async function installReferenceTable({ store, table, body }: { store: ObjectStore; table: ReferenceTableName; body: string | Uint8Array }): Promise<InstallResult> {
  const key = referenceKey(table);
  const validation = validateReferenceCsv(table, body);
  if (validation.ok) await store.put(key, new TextEncoder().encode(validation.csv));
  return { ...validation, key };
}

/** The installed table's rows, or null when none is installed. */
export async function readReferenceTable(store: ObjectStore, table: ReferenceTableName): Promise<ReferenceRow[] | null> {
  let body: Uint8Array;
  try {
    body = await store.get(referenceKey(table));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return null;
    throw error;
  }
  const validation = validateReferenceCsv(table, body);
  // Only validated CSV is ever installed, so this means someone edited the object by hand.
  if (!validation.ok) throw new Error(`${referenceKey(table)} is no longer valid: line ${validation.problems[0]?.line}: ${validation.problems[0]?.message}`);
  return validation.rows;
}

/**
 * Sites that name a tariff or region the installed tables do not define. Not an error: tables
 * are loaded one at a time, in any order, but a typo here silently prices a site at nothing.
 */
export async function danglingReferences(store: ObjectStore): Promise<string[]> {
  const [sites, tariffs, factors] = await Promise.all([
    readReferenceTable(store, 'sites'), readReferenceTable(store, 'tariffs'), readReferenceTable(store, 'emission_factors'),
  ]);
  if (!sites) return [];
  const warnings: string[] = [];
  const known = (rows: ReferenceRow[], column: string): Set<unknown> => new Set(rows.map((r) => r.values[column]));
  const checks: [ReferenceRow[] | null, string, string][] = [[tariffs, 'tariff_id', 'tariffs'], [factors, 'region', 'emission_factors']];
  for (const [rows, column, table] of checks) {
    if (!rows) continue;
    const defined = known(rows, column);
    for (const site of sites) {
      const value = site.values[column];
      if (value !== null && value !== undefined && !defined.has(value)) warnings.push(`site ${site.values.site_id}: ${column} ${value} is not in ${table}`);
    }
  }
  return warnings;
}
