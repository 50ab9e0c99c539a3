// Which time zone names a site may use. The name ends up in DuckDB (ICU) and Athena (Java)
// `AT TIME ZONE`, both of which want an IANA name spelled exactly; Intl alone would also accept
// `europe/stockholm` or offsets, so the spelling is checked as well.

/** Zones this runtime's ICU lists. ICU keeps some legacy names canonical (Asia/Calcutta), so links are accepted below. */
const LISTED = new Set(Intl.supportedValuesOf('timeZone'));

const NOT_A_ZONE = 'is not an IANA time zone name (e.g. Europe/Stockholm, America/New_York, UTC)';

/** IANA spelling: `Area/Location[/Sub]` segments start with a capital or digit (Etc/GMT+5, America/Port-au-Prince), or a bare name (UTC, EST5EDT). */
const IANA_SPELLING = /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z0-9][A-Za-z0-9_+-]*)*$/;

/**
 * Null for an IANA time zone name, otherwise what is wrong with it. Accepted: `UTC` (the default
 * for sites not in the table), every zone `Intl.supportedValuesOf('timeZone')` lists, names ICU
 * knows verbatim (Etc/GMT+5), and IANA links it resolves to another name (Asia/Kolkata, Europe/Kyiv).
 */
export function timeZoneProblem(name: string): string | null {
  if (name === 'UTC' || LISTED.has(name)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return NOT_A_ZONE;
  }
  // Newer runtimes accept offsets such as +01:00, which have no daylight saving rules.
  if (!/^[A-Za-z]/.test(name)) return NOT_A_ZONE;
  // Known to ICU under exactly this name (e.g. Etc/GMT+5, which supportedValuesOf does not list).
  if (resolved === name) return null;
  if (resolved.toLowerCase() === name.toLowerCase() || !IANA_SPELLING.test(name)) return `must be spelled as in the IANA database: ${resolved}`;
  return null;
}
