import { REGISTER_CSV_MAX, registerCsv, registerCsvFilename, type RegisterFilter } from '../../domain/register.ts';
import type { Reader } from '../access.ts';
import type { ServiceDeps } from '../deps.ts';
import { redactedRows, selected, whereFor } from './list-incidents.ts';

/**
 * The register's incidents `filter` selects (every page, at most REGISTER_CSV_MAX) as CSV for a
 * spreadsheet: what `reader` may see, its text through the PHI guard like every export, times in
 * the filter's zone.
 */
export async function exportIncidents(
  deps: Pick<ServiceDeps, 'register' | 'catalog'>,
  input: { reader: Reader; filter: RegisterFilter },
): Promise<{ filename: string; csv: string; rows: number; total: number }> {
  const where = await whereFor(deps, input.reader, input.filter);
  const { rows, total } = await selected(deps, where, { offset: 0, limit: REGISTER_CSV_MAX });
  // Only the free text is redacted (titles, services, teams); ids, references, times and enums stay.
  const redacted = redactedRows(rows);
  return {
    filename: registerCsvFilename(input.filter),
    csv: registerCsv(redacted, { timeZone: input.filter.timeZone, total }),
    rows: rows.length,
    total,
  };
}
