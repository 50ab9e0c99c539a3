// Evaluates compiled rule SQL on one message the way the IoT Core rules engine does, so the
// local twin and `wattlake ingest` feed the transform exactly what Firehose would receive.
//
// IoT Core behaviour mirrored here (AWS IoT developer guide, "SQL reference", "Functions",
// "Basic Ingest", "Working with binary payloads"):
// - WHERE is evaluated first and must be exactly true; an Undefined result (a missing field, a
//   comparison between incompatible types) means the actions do not run.
// - topic(n) is 1-based over the topic's `/` levels; topic() is the whole topic.
// - timestamp() is the rules engine's receive time in epoch ms (the caller's `receivedAt`).
// - Basic Ingest: a publish to `$aws/rules/<ruleName>/<topic>` invokes that rule by name, so
//   FROM is not consulted (AWS makes FROM optional for Basic-Ingest-only rules), and topic()
//   sees `<topic>` without the prefix. WHERE still applies.
// - An item that evaluates to Undefined adds no key to the output.
//
// Choices where AWS documents nothing; the twin picks the safe reading:
// - SELECT items apply in order and a later item replaces an earlier key, so
//   `SELECT *, topic(3) AS site_id` overrides a `site_id` the device put in its payload; an
//   alias that is Undefined removes the payload's key instead of letting it through.
// - A payload that is not a JSON object (invalid UTF-8 or JSON, an array, a scalar) under a
//   SELECT that contains `*` is passed on as the original bytes. AWS documents adding fields to
//   `*` only for JSON or empty payloads; passing the bytes on means the transform still sees the
//   message and fails it as a whole (not_json / not_object) instead of it vanishing here.
// - An empty payload counts as `{}` (AWS: "if you have an empty or a JSON payload, the
//   resulting payload can have data added").
// - `SELECT *` alone passes the payload bytes through unchanged, as for binary payloads.
import { jsonTextEnd } from '../decode/payload.ts';
import { parseRuleSql, type CompareOp, type Expr, type Literal, type RuleStatement } from './sql.ts';

export { RuleSqlError } from './sql.ts';

export interface RuleMessage {
  topic: string;
  payload: Uint8Array;
  /** When the broker received the message, epoch ms: the value of timestamp(). */
  receivedAt: number;
  /** The publisher's MQTT client id: the value of clientid() (Undefined when absent). */
  clientId?: string;
}

export interface CompiledRule {
  readonly sql: string;
  /** The FROM topic filter. */
  readonly topicFilter: string;
  /** True when a publish on `topic` triggers the rule (FROM match or this rule's Basic Ingest topic). */
  matches(topic: string): boolean;
  /** The rule's output message (UTF-8 JSON, or the original bytes, see above), or null when it does not fire. */
  evaluate(message: RuleMessage): Uint8Array | null;
  /**
   * What an action with record `separator` receives (as Firehose actions append one): the
   * output with the separator, in one allocation, and, when the rule parsed the payload anyway,
   * the object that output's JSON encodes, so that the next stage need not parse it again.
   */
  evaluateForAction(message: RuleMessage, separator: string): ActionRecord | null;
}

export interface ActionRecord {
  /** The rule's output followed by the action's separator. */
  data: Uint8Array;
  /** Equal to JSON.parse of `data` when known; undefined when the consumer has to parse it. */
  json?: Record<string, unknown>;
}

export interface CompileOptions {
  /** The rule's name, to accept Basic Ingest topics `$aws/rules/<ruleName>/…`. */
  ruleName?: string;
}

type Value = Literal | Value[] | { [key: string]: Value } | undefined;
type JsonObject = Record<string, Value>;

interface Context { payload: JsonObject | undefined; topic: string; levels: string[]; receivedAt: number; clientId: string | undefined }

/** Compile rule SQL once; throws RuleSqlError for anything outside the supported subset. */
export function compileRule(sql: string, { ruleName }: CompileOptions = {}): CompiledRule {
  const statement = parseRuleSql(sql);
  const selectsAll = statement.select.some((item) => item.kind === 'all');
  const onlyAll = statement.select.length === 1 && selectsAll;
  const startsWithAll = statement.select[0]?.kind === 'all' && statement.select.slice(1).every((item) => item.kind === 'expr');

  // Split once here, not per message: the twin evaluates the rule for every publish.
  const filterLevels = statement.from.split('/');
  /** The topic the rule's SQL sees, or null when the rule does not fire for this publish. */
  const ruleTopic = (topic: string): string | null => {
    const ingested = ruleName === undefined || !topic.startsWith('$') ? null : stripBasicIngest(topic, ruleName);
    if (ingested !== null) return ingested;
    return levelsMatch(filterLevels, topic) ? topic : null;
  };

  return {
    sql,
    topicFilter: statement.from,
    matches: (topic) => ruleTopic(topic) !== null,
    evaluate: (message) => run(message, '')?.data ?? null,
    evaluateForAction: run,
  };

  function run({ topic, payload, receivedAt, clientId }: RuleMessage, separator: string): ActionRecord | null {
    const seen = ruleTopic(topic);
    if (seen === null) return null;
    const text = decodeUtf8(payload);
    const parsed = text === undefined ? undefined : parsePayload(text);
    const ctx: Context = { payload: parsed, topic: seen, levels: seen.split('/'), receivedAt, clientId };
    if (statement.where && asBoolean(evaluateExpr(statement.where, ctx)) !== true) return null;
    if (onlyAll || (selectsAll && parsed === undefined)) return { data: withSeparator(payload, separator) };
    const spliced = startsWithAll && parsed !== undefined ? spliceAliases(payload, parsed, statement, ctx, separator) : null;
    if (spliced !== null) return spliced;
    try {
      return { data: encoder.encode(`${JSON.stringify(project(statement, ctx))}${separator}`) };
    } catch {
      // Nesting deeper than JSON.stringify can re-encode: hand the message on as it came, so the
      // transform still sees it (and quarantines it) instead of it vanishing here.
      return { data: withSeparator(payload, separator) };
    }
  }
}

/** A copy of `bytes` with `separator` after it (a copy even without one: callers may keep it). */
function withSeparator(bytes: Uint8Array, separator: string): Uint8Array {
  return separator === '' ? new Uint8Array(bytes) : Buffer.concat([bytes, Buffer.from(separator)]);
}

/** The topic after `$aws/rules/<ruleName>/`, or null if `topic` is not that rule's Basic Ingest topic. */
export function stripBasicIngest(topic: string, ruleName: string): string | null {
  const prefix = `$aws/rules/${ruleName}`;
  if (topic === prefix) return '';
  return topic.startsWith(`${prefix}/`) ? topic.slice(prefix.length + 1) : null;
}

/** MQTT matching: `+` is exactly one level (possibly empty), `#` the rest; `$` topics only match filters that name them. */
export function topicMatches(filter: string, topic: string): boolean {
  return levelsMatch(filter.split('/'), topic);
}

function levelsMatch(filterLevels: readonly string[], topic: string): boolean {
  if (topic === '' || topic.includes('+') || topic.includes('#') || topic.includes('\0')) return false; // not a valid publish topic
  const topicLevels = topic.split('/');
  if (topic.startsWith('$') && (filterLevels[0] === '+' || filterLevels[0] === '#')) return false;
  for (let index = 0; index < filterLevels.length; index++) {
    const level = filterLevels[index];
    if (level === '#') return true;
    if (index >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[index]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

// ignoreBOM keeps a BOM in the text, so JSON.parse refuses it (RFC 8259 forbids one), as the transform does.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

function decodeUtf8(payload: Uint8Array): string | undefined {
  try {
    return utf8.decode(payload);
  } catch {
    return undefined;
  }
}

/** The payload as a JSON object; `{}` when empty; undefined when it is anything else. */
function parsePayload(text: string): JsonObject | undefined {
  if (text.length === 0) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `SELECT *, a AS x, …` on an object payload, without re-encoding the payload: the aliases are
 * appended to the original JSON bytes, where (as JSON.parse keeps the last duplicate key) they
 * override payload keys of the same name. Cheaper than a parse/stringify round trip (the twin
 * runs this for every publish, before the PUBACK), and safe for payloads nested deeper than
 * JSON.stringify can handle. Null when an alias is Undefined (that must remove a key, which
 * appending cannot express).
 */
function spliceAliases(payload: Uint8Array, parsed: JsonObject, statement: RuleStatement, ctx: Context, separator: string): ActionRecord | null {
  // The payload parsed as an object, so it ends in `}` and at most JSON whitespace after it.
  const end = jsonTextEnd(payload);
  if (end === 0) return null;
  let added = '';
  const aliases: [string, Value][] = [];
  for (const item of statement.select) {
    if (item.kind === 'all') continue;
    const value = evaluateExpr(item.expr, ctx);
    if (value === undefined) return null;
    added += `,${JSON.stringify(item.name)}:${JSON.stringify(value)}`;
    aliases.push([item.name, value]);
  }
  const suffix = `${Object.keys(parsed).length > 0 ? added : added.slice(1)}}${separator}`;
  // One buffer for the payload's bytes and the suffix: the twin does this for every publish.
  const bytes = Buffer.allocUnsafe(end - 1 + Buffer.byteLength(suffix));
  bytes.set(payload.subarray(0, end - 1));
  bytes.write(suffix, end - 1);
  // The parsed payload, with the aliases set after every one was evaluated (each sees the payload
  // as sent), is what JSON.parse makes of the spliced text, as long as each value reads back as
  // itself (strings, booleans, null, finite numbers other than -0) and no alias is __proto__.
  for (const [name, value] of aliases) if (name === '__proto__' || !readsBackAsItself(value)) return { data: bytes };
  for (const [name, value] of aliases) parsed[name] = value;
  return { data: bytes, json: parsed };
}

const readsBackAsItself = (value: Value): boolean =>
  value === null || typeof value === 'string' || typeof value === 'boolean'
  || (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0));

function project(statement: RuleStatement, ctx: Context): JsonObject {
  // No prototype, so a payload key such as "__proto__" stays an ordinary key.
  const out: JsonObject = Object.create(null);
  for (const item of statement.select) {
    if (item.kind === 'all') {
      Object.assign(out, ctx.payload);
      continue;
    }
    const value = evaluateExpr(item.expr, ctx);
    if (value === undefined) delete out[item.name];
    else out[item.name] = value;
  }
  return out;
}

function evaluateExpr(expr: Expr, ctx: Context): Value {
  switch (expr.kind) {
    case 'literal': return expr.value;
    case 'field': {
      let value: Value = ctx.payload;
      for (const key of expr.path) {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
        value = value[key];
      }
      return value;
    }
    case 'topic': return expr.level === null ? ctx.topic : ctx.levels[expr.level - 1];
    case 'timestamp': return ctx.receivedAt;
    case 'clientid': return ctx.clientId;
    case 'isNull': return evaluateExpr(expr.arg, ctx) === null;
    case 'isUndefined': return evaluateExpr(expr.arg, ctx) === undefined;
    case 'compare': return compare(expr.op, evaluateExpr(expr.left, ctx), evaluateExpr(expr.right, ctx));
    case 'not': {
      const value = asBoolean(evaluateExpr(expr.arg, ctx));
      return value === undefined ? undefined : !value;
    }
    case 'and':
    case 'or': {
      // IoT: both operands must be Boolean (or "true"/"false" strings), else the result is Undefined.
      const left = asBoolean(evaluateExpr(expr.left, ctx));
      const right = asBoolean(evaluateExpr(expr.right, ctx));
      if (left === undefined || right === undefined) return undefined;
      return expr.kind === 'and' ? left && right : left || right;
    }
  }
}

function asBoolean(value: Value): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}

/** IoT converts strings that look like decimals when compared with numbers. */
const DECIMAL = /^-?\d+(\.\d+)?([eE]-?\d+)?$/;

function compare(op: CompareOp, left: Value, right: Value): boolean | undefined {
  if (left === undefined || right === undefined) return undefined;
  if (typeof left === 'number' && typeof right === 'string' && DECIMAL.test(right)) right = Number(right);
  if (typeof right === 'number' && typeof left === 'string' && DECIMAL.test(left)) left = Number(left);
  const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (op === '=' || op === '<>') {
    const equal = comparable || typeof left !== typeof right ? left === right : JSON.stringify(left) === JSON.stringify(right);
    return op === '=' ? equal : !equal;
  }
  if (!comparable) return undefined;
  const [a, b] = [left as number | string, right as number | string];
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}
