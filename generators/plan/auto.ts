// How an `auto` is resolved: a short ordered list of (condition → value, reason), read top to
// bottom; the first row whose condition holds decides, and the decision records its reason and
// the rule or fact behind it. Every list ends with an unconditional row, so one always decides.

export interface AutoRow<C, V> {
  /** Omitted: the row always holds (the default at the bottom). */
  when?: (c: C) => boolean;
  value: V | ((c: C) => V);
  reason: string | ((c: C) => string);
  /** The rule id behind the row, if a rule decides. */
  rule?: string;
  /** The fact behind the row, if a fact decides (a profile field, a platform entry, the nodes). */
  fact?: string | ((c: C) => string);
}

export interface AutoChoice<V> { value: V; reason: string; rule: string | null; fact: string | null }

export function resolveAuto<C, V>(rows: readonly AutoRow<C, V>[], c: C): AutoChoice<V> {
  for (const row of rows) {
    if (row.when && !row.when(c)) continue;
    const value = typeof row.value === 'function' ? (row.value as (c: C) => V)(c) : row.value;
    const reason = typeof row.reason === 'function' ? row.reason(c) : row.reason;
    const fact = row.fact === undefined ? null : typeof row.fact === 'function' ? row.fact(c) : row.fact;
    return { value, reason, rule: row.rule ?? null, fact };
  }
  throw new Error('an auto list without a default row');
}
