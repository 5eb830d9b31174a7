import { invalidPath } from '../errors'

/** RFC 7644 §3.4.2.2 comparison operators, as allowed inside a value path's brackets. */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le'

export type FilterLiteral = string | number | boolean | null

/** The filter of a value path (`emails[type eq "work"]`), over the sub-attributes of one element. */
export type ValueFilter =
  | { op: 'and' | 'or'; left: ValueFilter; right: ValueFilter }
  | { op: 'not'; filter: ValueFilter }
  | { op: 'pr'; attribute: string }
  | { op: CompareOperator; attribute: string; value: FilterLiteral }

/**
 * A PATCH path, RFC 7644 §3.5.2: `PATH = attrPath / valuePath [subAttr]`. `attribute` is the attribute
 * path before any filter, as sent (`emails`, `name.givenName`, `urn:…:User:manager`, or a bare schema URN);
 * resolving it against the schema is the caller's business.
 */
export type PatchPath = {
  attribute: string
  filter?: ValueFilter
  subAttribute?: string
}

const NAME = '[A-Za-z$_][\\w$-]*'
// [URI ":"] ATTRNAME *1subAttr; the URN may end in ":" or, as on Entra's mapping screen, in "User.".
const ATTRIBUTE_PATH = new RegExp(`^(?:urn:[\\w.:-]+[:.])?${NAME}(?:\\.${NAME})?$`, 'i')
const SUB_ATTRIBUTE = new RegExp(`^\\.(${NAME})$`)
const COMPARE_OPERATORS = new Set<string>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'])
const NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/

export function parsePatchPath(raw: string): PatchPath {
  const path = raw.trim()
  const open = path.indexOf('[')
  if (open === -1) {
    if (!ATTRIBUTE_PATH.test(path)) throw invalidPath(`'${raw}' is not a valid attribute path (RFC 7644 §3.5.2).`)
    return { attribute: path }
  }
  const attribute = path.slice(0, open).trim()
  if (!ATTRIBUTE_PATH.test(attribute)) throw invalidPath(`'${raw}' is not a valid attribute path (RFC 7644 §3.5.2).`)
  const close = closingBracket(path, open)
  if (close === -1) throw invalidPath(`'${raw}' has an unterminated value filter.`)
  const filter = parseValueFilter(path.slice(open + 1, close), raw)
  const rest = path.slice(close + 1)
  if (rest === '') return { attribute, filter }
  const sub = SUB_ATTRIBUTE.exec(rest)
  if (!sub?.[1]) throw invalidPath(`'${raw}' may only continue with '.subAttribute' after the value filter.`)
  return { attribute, filter, subAttribute: sub[1] }
}

/** The index of the `]` closing the bracket at `open`, skipping quoted strings; -1 if none. */
function closingBracket(path: string, open: number): number {
  let quoted = false
  for (let index = open + 1; index < path.length; index++) {
    const char = path[index]
    if (quoted) {
      if (char === '\\') index++
      else if (char === '"') quoted = false
    } else if (char === '"') {
      quoted = true
    } else if (char === '[') {
      return -1
    } else if (char === ']') {
      return index
    }
  }
  return -1
}

type Token = { kind: 'open' | 'close' | 'string' | 'word'; text: string }

function tokenize(source: string, raw: string): Token[] {
  const tokens: Token[] = []
  const pattern = /\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|([^\s()"]+))/y
  const end = source.trimEnd().length
  while (pattern.lastIndex < end) {
    const match = pattern.exec(source)
    if (!match) throw invalidPath(`'${raw}' has a malformed value filter.`)
    if (match[1]) tokens.push({ kind: 'open', text: '(' })
    else if (match[2]) tokens.push({ kind: 'close', text: ')' })
    else if (match[3]) tokens.push({ kind: 'string', text: match[3] })
    else if (match[4]) tokens.push({ kind: 'word', text: match[4] })
  }
  return tokens
}

/**
 * Parses the filter inside a value path's brackets (RFC 7644 §3.4.2.2 grammar, restricted to one element's
 * sub-attributes): comparisons, `pr`, `and`/`or`/`not` and parentheses; `and` binds tighter than `or`.
 */
export function parseValueFilter(source: string, raw = source): ValueFilter {
  const tokens = tokenize(source, raw)
  let position = 0
  const fail = (): never => {
    throw invalidPath(`'${raw}' has a malformed value filter.`)
  }
  const peekWord = () => {
    const token = tokens[position]
    return token?.kind === 'word' ? token.text.toLowerCase() : undefined
  }
  const parseOr = (): ValueFilter => {
    let left = parseAnd()
    while (peekWord() === 'or') {
      position++
      left = { op: 'or', left, right: parseAnd() }
    }
    return left
  }
  const parseAnd = (): ValueFilter => {
    let left = parseUnary()
    while (peekWord() === 'and') {
      position++
      left = { op: 'and', left, right: parseUnary() }
    }
    return left
  }
  const parseGroup = (): ValueFilter => {
    if (tokens[position]?.kind !== 'open') fail()
    position++
    const inner = parseOr()
    if (tokens[position]?.kind !== 'close') fail()
    position++
    return inner
  }
  const parseUnary = (): ValueFilter => {
    if (peekWord() === 'not') {
      position++
      return { op: 'not', filter: parseGroup() }
    }
    if (tokens[position]?.kind === 'open') return parseGroup()
    return parseComparison()
  }
  const parseComparison = (): ValueFilter => {
    const attribute = tokens[position]
    if (attribute?.kind !== 'word' || !new RegExp(`^${NAME}$`).test(attribute.text)) return fail()
    position++
    const operator = peekWord()
    if (!operator) return fail()
    position++
    if (operator === 'pr') return { op: 'pr', attribute: attribute.text }
    if (!COMPARE_OPERATORS.has(operator)) return fail()
    const value = parseLiteral(tokens[position], fail)
    position++
    return { op: operator as CompareOperator, attribute: attribute.text, value }
  }
  if (tokens.length === 0) fail()
  const filter = parseOr()
  if (position !== tokens.length) fail()
  return filter
}

function parseLiteral(token: Token | undefined, fail: () => never): FilterLiteral {
  if (!token) return fail()
  if (token.kind === 'string') {
    try {
      return JSON.parse(token.text) as string
    } catch {
      return fail()
    }
  }
  if (token.kind !== 'word') return fail()
  const lower = token.text.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  if (lower === 'null') return null
  if (NUMBER.test(token.text)) return Number(token.text)
  return fail()
}
