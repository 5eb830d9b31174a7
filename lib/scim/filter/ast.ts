/**
 * The SCIM filter AST, RFC 7644 §3.4.2.2: a union tagged by `op`. Attribute paths are kept as written;
 * resolving them against a schema is the consumer's job (the SQL compiler, an in-memory evaluator).
 */

/** The attribute operators that take a comparison value (RFC 7644 §3.4.2.2, table 3). */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'

/** A JSON literal: string, number, boolean or null (RFC 7644 §3.4.2.2 `compValue`). */
export type CompValue = string | number | boolean | null

/** `attrPath op compValue`, e.g. `userName eq "bjensen"`. */
export type CompareFilter = { op: CompareOperator; attrPath: string; compValue: CompValue }

/** `attrPath pr`: the attribute has a non-empty value. */
export type PresentFilter = { op: 'pr'; attrPath: string }

/** `a and b and …` (two or more operands, flattened). */
export type AndFilter = { op: 'and'; filters: FilterNode[] }

/** `a or b or …` (two or more operands, flattened). */
export type OrFilter = { op: 'or'; filters: FilterNode[] }

/** `not (filter)`. */
export type NotFilter = { op: 'not'; filter: FilterNode }

/**
 * A value path `attrPath[valFilter]`, e.g. `emails[type eq "work"]`: some value of the multi-valued
 * attribute matches `filter`, whose attribute paths name sub-attributes (`type`, `value`).
 */
export type ValuePathFilter = { op: '[]'; attrPath: string; filter: FilterNode }

export type FilterNode = CompareFilter | PresentFilter | AndFilter | OrFilter | NotFilter | ValuePathFilter

export const COMPARE_OPERATORS: readonly CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']

export function isCompareOperator(op: string): op is CompareOperator {
  return (COMPARE_OPERATORS as readonly string[]).includes(op)
}

/**
 * The filter as RFC 7644 §3.4.2.2 text, for logs and tests. Parentheses appear only where precedence
 * needs them, so `parseFilter(stringifyFilter(node))` gives `node` back.
 */
export function stringifyFilter(node: FilterNode): string {
  switch (node.op) {
    case 'pr':
      return `${node.attrPath} pr`
    case 'and':
      // `and` binds tighter than `or`, so only `or` operands need parentheses.
      return node.filters
        .map((filter) => (filter.op === 'or' ? `(${stringifyFilter(filter)})` : stringifyFilter(filter)))
        .join(' and ')
    case 'or':
      return node.filters.map(stringifyFilter).join(' or ')
    case 'not':
      return `not (${stringifyFilter(node.filter)})`
    case '[]':
      return `${node.attrPath}[${stringifyFilter(node.filter)}]`
    default:
      return `${node.attrPath} ${node.op} ${JSON.stringify(node.compValue)}`
  }
}
