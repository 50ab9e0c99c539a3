import { describe, expect, it } from 'vitest';
import { READINGS_RULE_SQL } from '../../../pipeline/rule/readings-rule.ts';
import { parseRuleSql, RuleSqlError } from '../../../pipeline/rule/sql.ts';

/** The RuleSqlError that parsing `sql` throws (fails the test if it parses). */
function parseError(sql: string): RuleSqlError {
  try {
    parseRuleSql(sql);
  } catch (error) {
    if (error instanceof RuleSqlError) return error;
    throw error;
  }
  throw new Error(`expected a RuleSqlError for: ${sql}`);
}

describe('parseRuleSql', () => {
  it('parses the readings rule into *, three aliased functions and its topic filter', () => {
    expect(parseRuleSql(READINGS_RULE_SQL)).toEqual({
      select: [
        { kind: 'all' },
        { kind: 'expr', expr: { kind: 'topic', level: 3 }, name: 'site_id' },
        { kind: 'expr', expr: { kind: 'topic', level: 4 }, name: 'topic_device_id' },
        { kind: 'expr', expr: { kind: 'timestamp' }, name: 'received_at' },
      ],
      from: 'dt/energy/+/+/readings',
      where: null,
    });
  });

  it('reads keywords and function names case-insensitively, keeping alias spelling', () => {
    const statement = parseRuleSql("select *, TOPIC(3) as Site_Id, ClientId() aS cid FrOm 'dt/#' wHeRe seq > 1");
    expect(statement.select).toEqual([
      { kind: 'all' },
      { kind: 'expr', expr: { kind: 'topic', level: 3 }, name: 'Site_Id' },
      { kind: 'expr', expr: { kind: 'clientid' }, name: 'cid' },
    ]);
    expect(statement.where).toEqual({ kind: 'compare', op: '>', left: { kind: 'field', path: ['seq'] }, right: { kind: 'literal', value: 1 } });
  });

  it('names unaliased items like IoT: a field by its last segment, a function by its name', () => {
    const { select } = parseRuleSql("SELECT meter.serial, timestamp(), topic() FROM 'dt/energy/+/+/readings'");
    expect(select.map((item) => (item.kind === 'expr' ? item.name : '*'))).toEqual(['serial', 'timestamp', 'topic']);
  });

  it('parses string, number, boolean and null literals, with a doubled quote inside a string', () => {
    const { select } = parseRuleSql("SELECT 'it''s' AS s, -2.5e3 AS n, TRUE AS t, false AS f, NULL AS z FROM 't'");
    expect(select.map((item) => item.kind === 'expr' && item.expr)).toEqual([
      { kind: 'literal', value: "it's" },
      { kind: 'literal', value: -2500 },
      { kind: 'literal', value: true },
      { kind: 'literal', value: false },
      { kind: 'literal', value: null },
    ]);
  });

  it('gives NOT over comparisons, AND over OR', () => {
    const { where } = parseRuleSql("SELECT * FROM 't' WHERE a = 1 OR b <> 2 AND NOT c >= 3");
    const cmp = (op: string, field: string, value: number) => ({ kind: 'compare', op, left: { kind: 'field', path: [field] }, right: { kind: 'literal', value } });
    expect(where).toEqual({
      kind: 'or',
      left: cmp('=', 'a', 1),
      right: { kind: 'and', left: cmp('<>', 'b', 2), right: { kind: 'not', arg: cmp('>=', 'c', 3) } },
    });
  });

  it('lets parentheses override precedence and reads != as <>', () => {
    const { where } = parseRuleSql("SELECT * FROM 't' WHERE (a != 1 OR b < 2) AND c <= 3");
    expect(where).toMatchObject({ kind: 'and', left: { kind: 'or', left: { op: '<>' }, right: { op: '<' } }, right: { op: '<=' } });
  });

  it('accepts isNull() and isUndefined(), the IoT spelling of null checks', () => {
    const { where } = parseRuleSql("SELECT * FROM 't' WHERE isNull(a) OR NOT isUndefined(b.c)");
    expect(where).toEqual({
      kind: 'or',
      left: { kind: 'isNull', arg: { kind: 'field', path: ['a'] } },
      right: { kind: 'not', arg: { kind: 'isUndefined', arg: { kind: 'field', path: ['b', 'c'] } } },
    });
  });

  it('accepts MQTT wildcards that are whole levels, with # last', () => {
    expect(parseRuleSql("SELECT * FROM '+/energy/#'").from).toBe('+/energy/#');
  });
});

describe('parseRuleSql rejects what the evaluator does not implement', () => {
  it.each([
    ["SELECT get(x, 0) FROM 't'", 'unsupported function get() at position 7'],
    ["SELECT encode(*, 'base64') AS data FROM 't'", 'unsupported function encode() at position 7'],
    ["SELECT * FROM 't' WHERE a IN (1,2)", 'unsupported construct IN at position 26'],
    ["SELECT * FROM 't' WHERE name LIKE 'm%'", 'unsupported construct LIKE at position 29'],
    ["SELECT * FROM 't' WHERE a IS NULL", 'unsupported construct IS (use isNull(x) or isUndefined(x)) at position 26'],
    ["SELECT CASE WHEN a = 1 THEN 2 END AS b FROM 't'", 'unsupported construct CASE at position 7'],
    ["SELECT * FROM 't' JOIN u", 'unsupported construct JOIN at position 18'],
    ["SELECT VALUE readings FROM 't'", 'unsupported construct VALUE at position 7'],
    ["SELECT (SELECT a FROM b) AS c FROM 't'", 'unsupported construct nested SELECT at position 8'],
    ["SELECT power_w * 2 AS p FROM 't'", "unsupported operator '*' at position 15"],
    ["SELECT * FROM 't' WHERE a = b - 1", "unsupported operator '-' at position 30"],
    ["SELECT readings[0] AS r FROM 't'", 'unsupported construct array index at position 15'],
  ])('%s', (sql, message) => {
    expect(parseError(sql).message).toContain(message);
  });

  it('reports a missing FROM clause', () => {
    expect(parseError('SELECT *, topic(3) AS site_id').message).toBe("expected FROM '<topic filter>', found end of input at position 29");
  });

  it('reports a missing SELECT', () => {
    expect(parseError("FROM 't'").message).toContain('expected SELECT');
  });

  it('carries the 0-based position of the offending construct', () => {
    const error = parseError("SELECT *, upper(topic(3)) AS s FROM 't'");
    expect(error).toMatchObject({ name: 'RuleSqlError', position: 10, what: 'unsupported function upper()' });
    expect(error.message).toContain('near "upper(topic(3)) AS s FRO"');
  });

  it.each([
    ["SELECT * FROM 'a/#/b'", "'#' must be a whole level and the last one"],
    ["SELECT * FROM 'a/b#'", "'#' must be a whole level and the last one"],
    ["SELECT * FROM 'a/b+/c'", "'+' must be a whole level"],
    ["SELECT * FROM ''", 'it is empty'],
  ])('refuses the invalid topic filter in %s', (sql, problem) => {
    expect(parseError(sql).message).toContain(problem);
  });

  it.each([
    ["SELECT topic(0) AS t FROM 'x'", 'topic(n) needs a whole-number literal n >= 1'],
    ["SELECT topic(1.5) AS t FROM 'x'", 'topic(n) needs a whole-number literal n >= 1'],
    ["SELECT topic(level) AS t FROM 'x'", 'topic(n) needs a whole-number literal n >= 1'],
    ["SELECT topic(1, 2) AS t FROM 'x'", 'topic() takes 1 argument, got 2'],
    ["SELECT timestamp(1) AS t FROM 'x'", 'timestamp() takes 0 arguments, got 1'],
  ])('checks function arguments: %s', (sql, message) => {
    expect(parseError(sql).message).toContain(message);
  });

  it.each([
    ["SELECT 42 FROM 't'", 'this SELECT item needs an AS alias'],
    ["SELECT *, * FROM 't'", '* selected twice'],
    ["SELECT * FROM 't' WHERE", 'expected an expression, found end of input'],
    ["SELECT * FROM 't' ORDER BY ts", 'unsupported construct ORDER'],
    ["SELECT * FROM 't'; DROP TABLE x", "expected end of statement, found ';'"],
    ['SELECT * FROM "t"', `expected a single-quoted topic filter after FROM, found '"'`],
    ["SELECT * FROM 't", 'unterminated string literal'],
    ["SELECT a AS FROM FROM 't'", 'expected an alias name after AS'],
    ["SELECT * FROM 't' WHERE a = 1e999", 'number 1e999 is out of range'],
  ])('refuses malformed SQL: %s', (sql, message) => {
    expect(parseError(sql).message).toContain(message);
  });
});
