import type { CompValue, CompareOperator, FilterNode } from './ast'

type JsonObject = Record<string, unknown>

export type MatchOptions = {
  /** RFC 7643 §2.2 caseExact: strings compare case-insensitively unless this says a sub-attribute is exact. */
  caseExact?: (attrPath: string) => boolean
}

/**
 * RFC 7644 §3.4.2.2 evaluated in memory on one element of a multi-valued attribute (`emails[type eq
 * "work"]`): the filter's attribute paths name the element's sub-attributes, found case-insensitively
 * (RFC 7643 §2.1). A nested value path never matches: a valFilter holds no other (§3.4.2.2 grammar).
 */
export function matchesElement(filter: FilterNode, element: JsonObject, options: MatchOptions = {}): boolean {
  switch (filter.op) {
    case 'and':
      return filter.filters.every((inner) => matchesElement(inner, element, options))
    case 'or':
      return filter.filters.some((inner) => matchesElement(inner, element, options))
    case 'not':
      return !matchesElement(filter.filter, element, options)
    case 'pr':
      return !isEmpty(valueOf(element, filter.attrPath))
    case '[]':
      return false
    default:
      return compare(
        filter.op,
        valueOf(element, filter.attrPath),
        filter.compValue,
        options.caseExact?.(filter.attrPath) ?? false,
      )
  }
}

function valueOf(element: JsonObject, name: string): unknown {
  // Bound filters name sub-attributes canonically, so the exact key is the common case.
  if (Object.hasOwn(element, name)) return element[name]
  const lower = name.toLowerCase()
  for (const own of Object.keys(element)) if (own.toLowerCase() === lower) return element[own]
  return undefined
}

/** RFC 7643 §2.5: null, "", [] and {} are "no value". */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true
  return typeof value === 'object' && Object.keys(value).length === 0
}

/** Entra sends `primary eq "True"`: a "true"/"false" string equals the boolean on the other side. */
function asBoolean(value: unknown, other: unknown): unknown {
  return typeof other === 'boolean' && typeof value === 'string' && /^(true|false)$/i.test(value)
    ? value.toLowerCase() === 'true'
    : value
}

function fold(value: unknown, caseExact: boolean): unknown {
  return typeof value === 'string' && !caseExact ? value.toLowerCase() : value
}

function compare(op: CompareOperator, raw: unknown, compValue: CompValue, caseExact: boolean): boolean {
  if (compValue === null) return op === 'eq' ? isEmpty(raw) : op === 'ne' ? !isEmpty(raw) : false
  const actual = fold(asBoolean(raw, compValue), caseExact)
  const expected = fold(asBoolean(compValue, raw), caseExact)
  switch (op) {
    case 'eq':
      return actual === expected
    case 'ne':
      return actual !== expected
    case 'co':
      return typeof actual === 'string' && actual.includes(String(expected))
    case 'sw':
      return typeof actual === 'string' && actual.startsWith(String(expected))
    case 'ew':
      return typeof actual === 'string' && actual.endsWith(String(expected))
  }
  // gt/ge/lt/le order strings (dateTimes are ISO strings) and numbers, never a mix (§3.4.2.2).
  if (typeof actual !== typeof expected || (typeof actual !== 'string' && typeof actual !== 'number')) return false
  const [a, b] = [actual, expected] as [string | number, string | number]
  return op === 'gt' ? a > b : op === 'ge' ? a >= b : op === 'lt' ? a < b : a <= b
}
