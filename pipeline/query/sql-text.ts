// Looking at SQL text without being fooled by what is inside strings, quoted identifiers and
// comments: a `?` in a string literal is not a parameter, and `AT TIME ZONE` in a comment is
// not the operator.

/**
 * The same SQL with the contents of string literals, quoted identifiers and comments replaced
 * by spaces (the quotes and comment markers stay, every offset is unchanged). Handles Trino's
 * doubled-quote escapes ('it''s', "a""b"), `--` line comments and `/* … *\/` block comments.
 */
export function maskSqlLiterals(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += '--' + ' '.repeat(stop - i - 2);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += '/*' + sql.slice(i + 2, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch && sql[j + 1] === ch) j += 2;
        else if (sql[j] === ch) break;
        else j++;
      }
      const stop = Math.min(j + 1, sql.length);
      out += ch + sql.slice(i + 1, j).replace(/[^\n]/g, ' ') + (j < sql.length ? ch : '');
      i = stop;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Number of `?` parameter markers outside strings, identifiers and comments. */
export function countParameterMarkers(sql: string): number {
  return (maskSqlLiterals(sql).match(/\?/g) ?? []).length;
}
