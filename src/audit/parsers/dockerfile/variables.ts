/** Value of a build variable: a string, or undefined when it is declared without a default or not at all. */
export type VariableLookup = (name: string) => string | undefined;

const REFERENCE =
  /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and
 * `${NAME+word}` as Docker does in `FROM`, `USER` and other instructions. A reference whose
 * variable has no value and no usable default stays as written, so callers can see it is
 * unresolved.
 */
export function expandVariables(text: string, lookup: VariableLookup): string {
  if (!text.includes('$')) return text;
  return text.replace(
    REFERENCE,
    (whole, braced?: string, operator?: string, word?: string, bare?: string) => {
      const name = braced ?? bare!;
      const value = lookup(name);
      if (operator === undefined) return value ?? whole;

      const empty = value === undefined || (operator.startsWith(':') && value === '');
      const kind = operator.slice(-1);
      if (kind === '-') return empty ? expandVariables(word ?? '', lookup) : value!;
      if (kind === '+') return empty ? '' : expandVariables(word ?? '', lookup);
      return empty ? whole : value!;
    },
  );
}
