import { describe, expect, it } from 'vitest';
import { countParameterMarkers, maskSqlLiterals } from '../../../pipeline/query/sql-text.ts';

describe('maskSqlLiterals', () => {
  it('blanks strings, quoted identifiers and comments but keeps every offset', () => {
    const sql = `SELECT 'a?b', "x?", 'it''s' -- why?\nFROM t /* ? */ WHERE c = ?`;
    const masked = maskSqlLiterals(sql);
    expect(masked).toHaveLength(sql.length);
    expect(masked).toBe(`SELECT '   ', "  ", '     ' --     \nFROM t /*      WHERE c = ?`);
  });

  it('masks an unterminated string to the end', () => {
    expect(maskSqlLiterals("SELECT 'open ?")).toBe("SELECT '      ");
  });
});

describe('countParameterMarkers', () => {
  it('counts only the ? outside strings, identifiers and comments', () => {
    expect(countParameterMarkers("SELECT ?, '?', \"?\" -- ?\n, ? /* ? */")).toBe(2);
  });
});
