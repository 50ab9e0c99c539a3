// docs/contracts.md is what users read; these checks keep it in step with the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { READING_REASONS, RECORD_ERRORS } from '../../pipeline/decode/reasons.ts';
import { READINGS_RULE_SQL } from '../../pipeline/rule/readings-rule.ts';
import { READING_COLUMNS, REJECTED_COLUMNS } from '../../pipeline/schema/readings.ts';
import { duckdbType, glueType } from '../../pipeline/schema/types.ts';

const doc = readFileSync(new URL('../../docs/contracts.md', import.meta.url), 'utf8');

describe('docs/contracts.md', () => {
  it.each(Object.keys(READING_REASONS))('documents the reading reason code %s', (code) => {
    expect(doc).toContain(`\`${code}\``);
  });

  it.each(Object.keys(RECORD_ERRORS))('documents the record error %s', (code) => {
    expect(doc).toContain(`\`${code}\``);
  });

  it('quotes the rule SQL exactly as deployed', () => {
    const quoted = /```sql\n([\s\S]*?)\n```/.exec(doc)?.[1]?.replace(/\s+/g, ' ');
    expect(quoted).toBe(READINGS_RULE_SQL);
  });

  it('lists every column of both tables in order', () => {
    for (const [table, columns] of [['readings', READING_COLUMNS], ['rejected_readings', REJECTED_COLUMNS]] as const) {
      const line = new RegExp(`^\`${table}\`: (.*)$`, 'm').exec(doc)?.[1] ?? '';
      const names = columns.map((c) => c.name);
      expect(line.split(/[,;]/).map((s) => s.trim().split(' ')[0]).slice(0, names.length)).toEqual(names);
    }
  });

  it('gives each logical type its Glue and DuckDB spelling', () => {
    for (const type of new Set([...READING_COLUMNS, ...REJECTED_COLUMNS].map((c) => c.type))) {
      expect(doc).toMatch(new RegExp(`\\| ${type} \\| ${glueType(type).replace(/[()]/g, '\\$&')} \\| ${duckdbType(type).replace(/[()]/g, '\\$&')} \\|`));
    }
  });
});
