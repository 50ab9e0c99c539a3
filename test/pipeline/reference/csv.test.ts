import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv } from '../../../pipeline/reference/csv.ts';

describe('parseCsv', () => {
  it('returns the header and records with the file line each record starts on', () => {
    const parsed = parseCsv('\uFEFFsite_id,name\r\n\r\nsite-01,"Vasastan\r\napartments"\r\nsite-02, Malmö office \r\n');
    expect(parsed).toEqual({
      ok: true,
      header: { line: 1, fields: ['site_id', 'name'] },
      records: [{ line: 3, fields: ['site-01', 'Vasastan\r\napartments'] }, { line: 5, fields: ['site-02', 'Malmö office'] }],
    });
  });

  it('reports an unclosed quote as a syntax error', () => {
    expect(parseCsv('site_id,name\nsite-01,"Vasastan\n')).toMatchObject({ ok: false, message: expect.stringContaining('Quote Not Closed') });
  });

  it('reports a blank file as having no header', () => {
    expect(parseCsv('\n\n')).toEqual({ ok: false, line: 1, message: 'the file is empty: a header row is required' });
  });
});

describe('formatCsv', () => {
  it('writes LF-terminated rows, quoting only cells that need it', () => {
    expect(formatCsv(['site_id', 'name', 'region'], [['site-02', 'Malmö office, floor 2', ''], ['site-03', 'The "corner" shop', 'US-NY']]))
      .toBe('site_id,name,region\nsite-02,"Malmö office, floor 2",\nsite-03,"The ""corner"" shop",US-NY\n');
  });
});
