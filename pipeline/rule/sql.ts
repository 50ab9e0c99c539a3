// Parser for the subset of AWS IoT rule SQL (version 2016-03-23) that wattlake's rules use.
// Anything outside the subset fails here, at compile time, with the construct and its
// position: the twin must never run a rule that it evaluates differently from IoT Core.

/** Rule SQL outside the supported subset, or malformed. `position` is a 0-based offset. */
export class RuleSqlError extends Error {
  constructor(readonly what: string, readonly position: number, sql: string) {
    const near = sql.slice(position, position + 24);
    super(`${what} at position ${position}${near ? ` (near "${near}")` : ''}`);
    this.name = 'RuleSqlError';
  }
}

export type Literal = string | number | boolean | null;
export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Expr =
  | { kind: 'literal'; value: Literal }
  | { kind: 'field'; path: string[] }
  | { kind: 'topic'; level: number | null }
  | { kind: 'timestamp' }
  | { kind: 'clientid' }
  | { kind: 'isNull' | 'isUndefined'; arg: Expr }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; arg: Expr };

/** `*` (the whole payload) or one named output field. */
export type SelectItem = { kind: 'all' } | { kind: 'expr'; expr: Expr; name: string };

export interface RuleStatement {
  select: SelectItem[];
  /** The FROM topic filter, validated as an MQTT topic filter. */
  from: string;
  where: Expr | null;
}

interface Token { kind: 'word' | 'number' | 'string' | 'punct' | 'end'; text: string; pos: number }

const RESERVED = new Set(['SELECT', 'FROM', 'WHERE', 'AS', 'AND', 'OR', 'NOT', 'TRUE', 'FALSE', 'NULL']);
/** IoT SQL keywords outside the subset, named in the error instead of "unexpected word". */
const UNSUPPORTED = new Set(['JOIN', 'INNER', 'LEFT', 'RIGHT', 'CROSS', 'ON', 'CASE', 'WHEN', 'IN', 'LIKE',
  'BETWEEN', 'IS', 'EXISTS', 'VALUE', 'DISTINCT', 'SET', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'UNION']);
const FUNCTIONS = new Set(['topic', 'timestamp', 'clientid', 'isnull', 'isundefined']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '|', '&', '^']);
const COMPARE: Record<string, CompareOp> = { '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const word = /[A-Za-z_][A-Za-z0-9_]*/y;
  const number = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  let pos = 0;
  while (pos < sql.length) {
    const ch = sql[pos] as string;
    if (/\s/.test(ch)) { pos++; continue; }
    const start = pos;
    word.lastIndex = pos;
    number.lastIndex = pos;
    if (word.test(sql)) {
      tokens.push({ kind: 'word', text: sql.slice(start, word.lastIndex), pos: start });
      pos = word.lastIndex;
    } else if (number.test(sql)) {
      tokens.push({ kind: 'number', text: sql.slice(start, number.lastIndex), pos: start });
      pos = number.lastIndex;
    } else if (ch === "'") {
      let text = '';
      for (pos++; ; pos++) {
        if (pos >= sql.length) throw new RuleSqlError('unterminated string literal', start, sql);
        if (sql[pos] !== "'") { text += sql[pos]; continue; }
        if (sql[pos + 1] !== "'") break;
        text += "'"; // '' is an escaped quote
        pos++;
      }
      tokens.push({ kind: 'string', text, pos: start });
      pos++;
    } else {
      const two = sql.slice(pos, pos + 2);
      const text = two in COMPARE ? two : ch;
      tokens.push({ kind: 'punct', text, pos: start });
      pos += text.length;
    }
  }
  tokens.push({ kind: 'end', text: '', pos: sql.length });
  return tokens;
}

/** Parse rule SQL into a statement, or throw RuleSqlError. Keywords are case-insensitive. */
export function parseRuleSql(sql: string): RuleStatement {
  const tokens = tokenize(sql);
  let i = 0;
  const peek = (): Token => tokens[i] as Token;
  const next = (): Token => tokens[i++] as Token;
  const isWord = (keyword: string, t = peek()): boolean => t.kind === 'word' && t.text.toUpperCase() === keyword;
  const isPunct = (text: string, t = peek()): boolean => t.kind === 'punct' && t.text === text;

  const fail = (t: Token, expected: string): never => {
    const upper = t.text.toUpperCase();
    if (t.kind === 'word' && UNSUPPORTED.has(upper)) throw new RuleSqlError(`unsupported construct ${upper}`, t.pos, sql);
    if (t.kind === 'end') throw new RuleSqlError(`expected ${expected}, found end of input`, t.pos, sql);
    throw new RuleSqlError(`expected ${expected}, found '${t.text}'`, t.pos, sql);
  };
  const expectPunct = (text: string): void => { if (!isPunct(text)) fail(peek(), `'${text}'`); next(); };

  const parseOr = (): Expr => {
    let left = parseAnd();
    while (isWord('OR')) { next(); left = { kind: 'or', left, right: parseAnd() }; }
    return left;
  };
  const parseAnd = (): Expr => {
    let left = parseNot();
    while (isWord('AND')) { next(); left = { kind: 'and', left, right: parseNot() }; }
    return left;
  };
  const parseNot = (): Expr => {
    if (isWord('NOT')) { next(); return { kind: 'not', arg: parseNot() }; }
    return parseComparison();
  };
  const parseComparison = (): Expr => {
    const left = parseOperand();
    const t = peek();
    if (t.kind !== 'punct' || !(t.text in COMPARE)) return left;
    next();
    return { kind: 'compare', op: COMPARE[t.text] as CompareOp, left, right: parseOperand() };
  };
  /** A primary, refusing the operators that IoT SQL has and this subset does not. */
  const parseOperand = (): Expr => {
    const operand = parsePrimary();
    const t = peek();
    if (isWord('IS')) throw new RuleSqlError('unsupported construct IS (use isNull(x) or isUndefined(x))', t.pos, sql);
    if (t.kind === 'word' && UNSUPPORTED.has(t.text.toUpperCase())) throw new RuleSqlError(`unsupported construct ${t.text.toUpperCase()}`, t.pos, sql);
    if (t.kind === 'punct' && ARITHMETIC.has(t.text)) throw new RuleSqlError(`unsupported operator '${t.text}'`, t.pos, sql);
    return operand;
  };

  const parsePrimary = (): Expr => {
    const t = next();
    if (t.kind === 'string') return { kind: 'literal', value: t.text };
    if (t.kind === 'number' || (isPunct('-', t) && peek().kind === 'number')) {
      const text = t.kind === 'number' ? t.text : `-${next().text}`;
      const value = Number(text);
      if (!Number.isFinite(value)) throw new RuleSqlError(`number ${text} is out of range`, t.pos, sql);
      return { kind: 'literal', value };
    }
    if (isPunct('(', t)) {
      if (isWord('SELECT')) throw new RuleSqlError('unsupported construct nested SELECT', peek().pos, sql);
      const inner = parseOr();
      expectPunct(')');
      return inner;
    }
    if (t.kind !== 'word') return fail(t, 'an expression');
    const upper = t.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'literal', value: upper === 'TRUE' };
    if (upper === 'NULL') return { kind: 'literal', value: null };
    if (upper === 'SELECT') throw new RuleSqlError('unsupported construct nested SELECT', t.pos, sql);
    if (RESERVED.has(upper) || UNSUPPORTED.has(upper)) return fail(t, 'an expression');
    if (isPunct('(')) return parseCall(t);
    const path = [t.text];
    while (isPunct('.')) {
      next();
      const part = next();
      if (part.kind !== 'word') fail(part, 'a field name after "."');
      path.push(part.text);
    }
    if (isPunct('[')) throw new RuleSqlError('unsupported construct array index', peek().pos, sql);
    return { kind: 'field', path };
  };

  const parseCall = (name: Token): Expr => {
    const fn = name.text.toLowerCase();
    if (!FUNCTIONS.has(fn)) throw new RuleSqlError(`unsupported function ${name.text}()`, name.pos, sql);
    next(); // (
    const args: Expr[] = [];
    const argPositions: number[] = [];
    if (!isPunct(')')) {
      for (;;) {
        argPositions.push(peek().pos);
        args.push(parseOr());
        if (!isPunct(',')) break;
        next();
      }
    }
    expectPunct(')');
    const arity = (n: number): void => {
      if (args.length !== n) throw new RuleSqlError(`${fn}() takes ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`, name.pos, sql);
    };
    switch (fn) {
      case 'timestamp': arity(0); return { kind: 'timestamp' };
      case 'clientid': arity(0); return { kind: 'clientid' };
      case 'isnull': arity(1); return { kind: 'isNull', arg: args[0] as Expr };
      case 'isundefined': arity(1); return { kind: 'isUndefined', arg: args[0] as Expr };
    }
    if (args.length === 0) return { kind: 'topic', level: null };
    arity(1);
    const level = args[0] as Expr;
    if (level.kind !== 'literal' || !Number.isSafeInteger(level.value) || (level.value as number) < 1) {
      throw new RuleSqlError('topic(n) needs a whole-number literal n >= 1', argPositions[0] as number, sql);
    }
    return { kind: 'topic', level: level.value as number };
  };

  const parseSelectItem = (): SelectItem => {
    if (isPunct('*')) { next(); return { kind: 'all' }; }
    const start = peek();
    const expr = parseOr();
    if (isWord('AS')) {
      next();
      const alias = next();
      if (alias.kind !== 'word' || RESERVED.has(alias.text.toUpperCase())) fail(alias, 'an alias name after AS');
      return { kind: 'expr', expr, name: alias.text };
    }
    // IoT names an unaliased field by its last path segment and a function by its name.
    if (expr.kind === 'field') return { kind: 'expr', expr, name: expr.path[expr.path.length - 1] as string };
    if (expr.kind === 'topic' || expr.kind === 'timestamp' || expr.kind === 'clientid') return { kind: 'expr', expr, name: expr.kind };
    throw new RuleSqlError('this SELECT item needs an AS alias', start.pos, sql);
  };

  if (!isWord('SELECT')) fail(peek(), 'SELECT');
  next();
  const select: SelectItem[] = [];
  for (;;) {
    const pos = peek().pos;
    const item = parseSelectItem();
    if (item.kind === 'all' && select.some((s) => s.kind === 'all')) throw new RuleSqlError('* selected twice', pos, sql);
    select.push(item);
    if (!isPunct(',')) break;
    next();
  }
  if (!isWord('FROM')) fail(peek(), "FROM '<topic filter>'");
  next();
  const fromToken = next();
  if (fromToken.kind !== 'string') fail(fromToken, "a single-quoted topic filter after FROM");
  const filterProblem = topicFilterProblem(fromToken.text);
  if (filterProblem) throw new RuleSqlError(`invalid topic filter '${fromToken.text}': ${filterProblem}`, fromToken.pos, sql);
  let where: Expr | null = null;
  if (isWord('WHERE')) { next(); where = parseOr(); }
  if (peek().kind !== 'end') fail(peek(), 'end of statement');
  return { select, from: fromToken.text, where };
}

/** Why `filter` is not a valid MQTT topic filter, or null if it is. */
function topicFilterProblem(filter: string): string | null {
  if (filter === '') return 'it is empty';
  if (filter.includes('\u0000')) return 'it contains NUL';
  const levels = filter.split('/');
  for (const [index, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || index !== levels.length - 1)) return "'#' must be a whole level and the last one";
    if (level.includes('+') && level !== '+') return "'+' must be a whole level";
  }
  return null;
}
