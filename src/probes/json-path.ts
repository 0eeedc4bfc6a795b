// A small JSON path subset for response assertions: `$.a.b`, `$.items[0].name`, `data.count`,
// `$["odd key"]`, `$.list[-1]` (from the end). No wildcards or filters: one path names one value.

export type PathSegment = string | number;

export const JSON_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'] as const;
export type JsonOp = (typeof JSON_OPS)[number];

/** One assertion on a JSON response body; `value` is optional for `exists` (default true). */
export interface JsonAssertion {
  path: string;
  op: JsonOp;
  value?: unknown;
}

const IDENT = /^[A-Za-z_$][\w$-]*/;

/** Parses a path into segments; throws Error with a readable reason when it is not one. */
export function parseJsonPath(path: string): PathSegment[] {
  let rest = path.trim();
  if (rest === '') throw new Error('path is empty');
  if (rest.startsWith('$')) rest = rest.slice(1);
  else if (!rest.startsWith('[')) rest = `.${rest}`;
  const out: PathSegment[] = [];
  while (rest !== '') {
    if (rest.startsWith('.')) {
      const m = IDENT.exec(rest.slice(1));
      if (!m) throw new Error(`expected a name after "." at "${rest.slice(0, 20)}"`);
      out.push(m[0]);
      rest = rest.slice(1 + m[0].length);
    } else if (rest.startsWith('[')) {
      const m = /^\[\s*(-?\d+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\]/.exec(rest);
      if (!m?.[1]) throw new Error(`expected [index] or ["name"] at "${rest.slice(0, 20)}"`);
      const inner = m[1];
      out.push(/^-?\d+$/.test(inner) ? Number(inner) : inner.slice(1, -1).replace(/\\(.)/g, '$1'));
      rest = rest.slice(m[0].length);
    } else {
      throw new Error(`unexpected "${rest.slice(0, 20)}"`);
    }
  }
  return out;
}

/** Looks a path up in a parsed JSON document; `found` is false when any step is missing. */
export function evalJsonPath(doc: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let cur: unknown = doc;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return { found: false, value: undefined };
      const i = seg < 0 ? cur.length + seg : seg;
      if (i < 0 || i >= cur.length) return { found: false, value: undefined };
      cur = cur[i];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg)) return { found: false, value: undefined };
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return { found: true, value: cur };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a);
  const rb = b as Record<string, unknown>;
  return ka.length === Object.keys(rb).length && ka.every((k) => Object.hasOwn(rb, k) && deepEqual((a as Record<string, unknown>)[k], rb[k]));
}

function show(v: unknown): string {
  const s = v === undefined ? 'nothing' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

function compare(actual: unknown, expected: unknown, op: 'gt' | 'gte' | 'lt' | 'lte'): boolean | null {
  const bothNum = typeof actual === 'number' && typeof expected === 'number';
  const bothStr = typeof actual === 'string' && typeof expected === 'string';
  if (!bothNum && !bothStr) return null;
  const a = actual as number | string;
  const b = expected as number | string;
  return op === 'gt' ? a > b : op === 'gte' ? a >= b : op === 'lt' ? a < b : a <= b;
}

/**
 * Checks one assertion against a parsed document (path pre-parsed); returns null when it holds,
 * else a short message saying what was expected and what was found.
 */
export function checkJsonAssertion(doc: unknown, a: JsonAssertion, path: readonly PathSegment[]): string | null {
  const { found, value } = evalJsonPath(doc, path);
  if (a.op === 'exists') {
    const want = a.value !== false;
    return found === want ? null : `${a.path}: expected ${want ? 'to exist' : 'not to exist'}`;
  }
  if (!found) return `${a.path}: not found`;
  let ok: boolean;
  switch (a.op) {
    case 'eq': ok = deepEqual(value, a.value); break;
    case 'ne': ok = !deepEqual(value, a.value); break;
    case 'contains':
      if (typeof value === 'string' && typeof a.value === 'string') ok = value.includes(a.value);
      else if (Array.isArray(value)) ok = value.some((x) => deepEqual(x, a.value));
      else return `${a.path}: contains needs a string or an array, got ${show(value)}`;
      break;
    default: {
      const r = compare(value, a.value, a.op);
      if (r === null) return `${a.path}: ${a.op} needs two numbers or two strings, got ${show(value)} and ${show(a.value)}`;
      ok = r;
    }
  }
  return ok ? null : `${a.path}: expected ${a.op} ${show(a.value)}, got ${show(value)}`;
}
