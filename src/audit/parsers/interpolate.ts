/** Returns a variable's value, or undefined when it is not set. */
export type VariableLookup = (name: string) => string | undefined;

export interface InterpolationError {
  /** `invalid` for a malformed `${...}`, `required` for a `${VAR:?message}` whose variable is unset. */
  kind: 'invalid' | 'required';
  message: string;
  variable?: string;
}

export interface InterpolationResult {
  value: string;
  /** True when any `$VAR` or `${...}` substitution took part; `$$` escapes alone do not count. */
  interpolated: boolean;
  /** Every variable name referenced, in order of first use. */
  variables: string[];
  /** Variables substituted as empty strings because they are unset and have no default. */
  missing: string[];
  errors: InterpolationError[];
}

/** Nested `${A:-${B:-...}}` defaults deeper than this are reported instead of expanded. */
const MAX_NESTED_DEFAULTS = 32;

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;
type Operator = (typeof OPERATORS)[number];

/**
 * Substitutes variables the way the Compose Specification defines interpolation: `$VAR`,
 * `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`,
 * `${VAR:+replacement}`, `${VAR+replacement}` and `$$` for a literal `$`. Defaults may nest.
 * Unset variables become empty strings, as Compose does; a `$` followed by anything else is kept.
 */
export function interpolate(text: string, lookup: VariableLookup): InterpolationResult {
  const state: State = { lookup, interpolated: false, variables: [], missing: [], errors: [] };
  const value = substitute(text, state, 0);
  return {
    value,
    interpolated: state.interpolated,
    variables: state.variables,
    missing: state.missing,
    errors: state.errors,
  };
}

interface State {
  lookup: VariableLookup;
  interpolated: boolean;
  variables: string[];
  missing: string[];
  errors: InterpolationError[];
}

function substitute(text: string, state: State, depth: number): string {
  let output = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) {
      output += text.slice(i);
      break;
    }
    output += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      output += '$';
      i = dollar + 2;
    } else if (next !== undefined && NAME_START.test(next)) {
      let end = dollar + 2;
      while (end < text.length && NAME_PART.test(text[end]!)) end++;
      output += plainValue(text.slice(dollar + 1, end), state);
      i = end;
    } else if (next === '{') {
      const close = matchingBrace(text, dollar + 2);
      if (close === -1) {
        state.errors.push({
          kind: 'invalid',
          message: `invalid interpolation '${text.slice(dollar)}': '\${' is never closed`,
        });
        output += text.slice(dollar);
        break;
      }
      output += bracedValue(text.slice(dollar + 2, close), state, depth);
      i = close + 1;
    } else {
      output += '$';
      i = dollar + 1;
    }
  }
  return output;
}

/** Finds the `}` that closes a `${` whose body starts at `from`, counting nested braces. */
function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return i;
  }
  return -1;
}

function note(name: string, state: State): string | undefined {
  state.interpolated = true;
  if (!state.variables.includes(name)) state.variables.push(name);
  return state.lookup(name);
}

function plainValue(name: string, state: State): string {
  const value = note(name, state);
  if (value === undefined && !state.missing.includes(name)) state.missing.push(name);
  return value ?? '';
}

function bracedValue(body: string, state: State, depth: number): string {
  let end = 0;
  if (body.length > 0 && NAME_START.test(body[0]!)) {
    end = 1;
    while (end < body.length && NAME_PART.test(body[end]!)) end++;
  }
  const name = body.slice(0, end);
  const rest = body.slice(end);
  const operator = OPERATORS.find((candidate) => rest.startsWith(candidate));
  if (name === '' || (rest !== '' && operator === undefined)) {
    state.interpolated = true;
    state.errors.push({ kind: 'invalid', message: `invalid interpolation '\${${body}}'` });
    return '';
  }
  if (operator === undefined) return plainValue(name, state);
  if (depth >= MAX_NESTED_DEFAULTS) {
    state.interpolated = true;
    state.errors.push({
      kind: 'invalid',
      message: `interpolation '\${${name}${operator}...}' nests defaults more than ${MAX_NESTED_DEFAULTS} levels deep`,
    });
    return '';
  }
  const word = rest.slice(operator.length);
  return applyOperator(name, operator, word, state, depth);
}

function applyOperator(
  name: string,
  operator: Operator,
  word: string,
  state: State,
  depth: number,
): string {
  const value = note(name, state);
  const isSet = value !== undefined;
  const isNonEmpty = isSet && value !== '';
  const expand = () => substitute(word, state, depth + 1);
  switch (operator) {
    case ':-':
      return isNonEmpty ? value : expand();
    case '-':
      return isSet ? value : expand();
    case ':+':
      return isNonEmpty ? expand() : '';
    case '+':
      return isSet ? expand() : '';
    case ':?':
    case '?': {
      const satisfied = operator === ':?' ? isNonEmpty : isSet;
      if (satisfied) return value ?? '';
      const reason = expand();
      state.errors.push({
        kind: 'required',
        variable: name,
        message: reason
          ? `required variable ${name} is missing a value: ${reason}`
          : `required variable ${name} is missing a value`,
      });
      return '';
    }
  }
}
