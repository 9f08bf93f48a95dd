// U testbound macros (FORMAT.md §8.4): `${...}` in ASSIGN values, TIME_PASSES EVAL and
// CHECK_AUTOTRUST / CHECK_TEMPFILE lines.
// - `$name` is a variable (undefined: error); numbers and `+ - * /` evaluate strictly left to right,
//   no precedence; nested `${ }` group;
// - `${time}` the clock in seconds; `${timeout}` seconds until the next resolver timer (0 if none);
//   `${ctime X}` C ctime() text of X in UTC without the newline; `${range lo X hi}` X when
//   lo <= X <= hi, else an error.
// Errors are MacroError; expansion work is bounded by the text length (nesting depth capped).

export class MacroError extends Error {}

export interface MacroContext {
  readonly vars: ReadonlyMap<string, number>;
  time(): number;
  timeout(): number;
}

const MAX_DEPTH = 16;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C ctime() of POSIX seconds, UTC, without the trailing newline: `Tue Aug 25 00:00:00 2009`. */
export function ctime(seconds: number): string {
  const d = new Date(Math.floor(seconds) * 1000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]!} ${MONTHS[d.getUTCMonth()]!} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}

function num(text: string, ctx: MacroContext): number {
  if (text.startsWith('$')) {
    const v = ctx.vars.get(text.slice(1));
    if (v === undefined) throw new MacroError(`undefined variable ${text}`);
    return v;
  }
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(text)) throw new MacroError(`"${text}" is not a number`);
  return Number(text);
}

/** Evaluates the inside of one `${...}` whose nested macros are already expanded. */
function evaluate(body: string, ctx: MacroContext): string {
  const t = body.trim();
  if (t === 'time') return fmt(ctx.time());
  if (t === 'timeout') return fmt(ctx.timeout());
  if (t.startsWith('ctime ')) return ctime(Number(evaluate(t.slice(6), ctx)));
  if (t.startsWith('range ')) {
    const parts = t.slice(6).trim().split(/\s+/);
    if (parts.length !== 3) throw new MacroError(`range needs three values: "${t}"`);
    const [lo, x, hi] = parts.map((p) => num(p, ctx)) as [number, number, number];
    if (x < lo || x > hi) throw new MacroError(`range: ${fmt(x)} is not within ${fmt(lo)}..${fmt(hi)}`);
    return fmt(x);
  }
  const tokens = t.match(/\$?[A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\.[0-9]+)?|[-+*/]|\S/g) ?? [];
  if (tokens.length === 0) throw new MacroError('empty expression');
  let acc = num(tokens[0]!, ctx);
  for (let i = 1; i < tokens.length; i += 2) {
    const op = tokens[i]!;
    const rhsText = tokens[i + 1];
    if (rhsText === undefined) throw new MacroError(`operator ${op} without a value`);
    const rhs = num(rhsText, ctx);
    switch (op) {
      case '+':
        acc += rhs;
        break;
      case '-':
        acc -= rhs;
        break;
      case '*':
        acc *= rhs;
        break;
      case '/':
        if (rhs === 0) throw new MacroError('division by zero');
        acc = Math.trunc(acc / rhs);
        break;
      default:
        throw new MacroError(`unknown operator "${op}"`);
    }
  }
  return fmt(acc);
}

/** Expands every `${...}` in `text`. */
export function expandMacros(text: string, ctx: MacroContext, depth = 0): string {
  if (depth > MAX_DEPTH) throw new MacroError('macros nested too deeply');
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    let level = 0;
    let end = -1;
    for (let j = start; j < text.length; j++) {
      if (text[j] === '$' && text[j + 1] === '{') {
        level++;
        j++;
      } else if (text[j] === '}') {
        level--;
        if (level === 0) {
          end = j;
          break;
        }
      }
    }
    if (end < 0) throw new MacroError('unbalanced ${');
    const inner = expandMacros(text.slice(start + 2, end), ctx, depth + 1);
    out += evaluate(inner, ctx);
    i = end + 1;
  }
  return out;
}

/** A macro that must give a number (ASSIGN, TIME_PASSES EVAL). */
export function evalNumber(text: string, ctx: MacroContext): number {
  const s = expandMacros(text, ctx).trim();
  const v = Number(s);
  if (s === '' || !Number.isFinite(v)) throw new MacroError(`"${text}" does not give a number ("${s}")`);
  return v;
}
