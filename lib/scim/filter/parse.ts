import { escapeUnstorableText, hasUnstorableText, unstorableTextMessage } from '../../storable-text'
import { ScimError, invalidFilter } from '../errors'
import { scimLimits } from '../limits'
import { isCompareOperator, type CompValue, type FilterNode } from './ast'

/**
 * The SCIM filter parser, RFC 7644 §3.4.2.2:
 *
 *   filter    = orExpr
 *   orExpr    = andExpr *("or" andExpr)            ; "and" binds tighter than "or"
 *   andExpr   = unary *("and" unary)
 *   unary     = "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath
 *   attrExp   = attrPath "pr" / attrPath compareOp compValue
 *   valuePath = attrPath "[" valFilter "]" ["." subAttr ("pr" / compareOp compValue)]
 *
 * Keywords and operators are case-insensitive. The trailing `.subAttr` form is the PATCH-style path that
 * Entra's validator sends as a filter (`emails[type eq "work"].value eq "x"`); it is read as
 * `emails[type eq "work" and value eq "x"]`. Input arrives URL-decoded; nothing is decoded again here.
 */

export const MAX_FILTER_LENGTH = scimLimits.maxFilterLength
export const MAX_FILTER_DEPTH = scimLimits.maxFilterDepth
export const MAX_FILTER_COMPARISONS = scimLimits.maxFilterComparisons

/** RFC 7644 §3.12 `tooMany`: the filter asks for more work than the server is willing to do. */
const tooMany = (detail: string) => new ScimError(400, detail, 'tooMany')

type Token =
  | { kind: '(' | ')' | '[' | ']' | 'end'; position: number }
  | { kind: 'word'; text: string; position: number }
  | { kind: 'string'; value: string; position: number }

// RFC 7644 §3.10 attrPath: [URI ":"] ATTRNAME ["." subAttr]. URNs hold dots (`2.0`), so they are matched whole.
const NAME = '[A-Za-z$][A-Za-z0-9_$-]*'
const PLAIN_PATH = new RegExp(`^${NAME}(?:\\.${NAME})?$`)
const URN_PATH = new RegExp(`^urn:(?:[A-Za-z0-9._-]+:)+${NAME}(?:\\.${NAME})?$`, 'i')
const SUB_ATTRIBUTE = new RegExp(`^\\.(${NAME})$`)
// RFC 8259 §6 number.
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/
const DELIMITERS = new Set(['(', ')', '[', ']', '"'])
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }

/**
 * Parses a SCIM filter. Every syntax error is a 400 `invalidFilter` naming what was expected and where; text
 * PostgreSQL cannot store (NUL, lone surrogates) is an `invalidFilter` too, and a filter over the comparison
 * or nesting limit is a 400 `tooMany` naming the limit.
 */
export function parseFilter(input: string): FilterNode {
  if (input.length > MAX_FILTER_LENGTH) {
    throw invalidFilter(`Filter is too long: ${input.length} characters, at most ${MAX_FILTER_LENGTH} are accepted.`)
  }
  if (input.trim() === '') throw invalidFilter('Filter is empty.')
  return new Parser(tokenize(input)).parse()
}

/** Positions in messages are 1-based characters, as a person counts them. */
function at(position: number): string {
  return `at character ${position + 1}`
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the filter'
    case 'word':
      return `'${clip(token.text)}'`
    case 'string':
      return `the string ${clip(JSON.stringify(token.value))}`
    default:
      return `'${token.kind}'`
  }
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let index = 0
  while (index < input.length) {
    const char = input.charAt(index)
    if (/\s/.test(char)) {
      index += 1
    } else if (char === '(' || char === ')' || char === '[' || char === ']') {
      tokens.push({ kind: char, position: index })
      index += 1
    } else if (char === '"') {
      const { value, end } = readString(input, index)
      tokens.push({ kind: 'string', value, position: index })
      index = end
    } else {
      const start = index
      while (index < input.length && !/\s/.test(input.charAt(index)) && !DELIMITERS.has(input.charAt(index))) index += 1
      const text = input.slice(start, index)
      if (hasUnstorableText(text))
        throw invalidFilter(`Filter ${at(start)}: ${unstorableTextMessage(escapeUnstorableText(clip(text)))}`)
      tokens.push({ kind: 'word', text, position: start })
    }
  }
  tokens.push({ kind: 'end', position: input.length })
  return tokens
}

/** A JSON string (RFC 8259 §7) starting at the opening quote; returns its value and the index after it. */
function readString(input: string, start: number): { value: string; end: number } {
  let value = ''
  let index = start + 1
  while (index < input.length) {
    const char = input.charAt(index)
    if (char === '"') return { value, end: index + 1 }
    if (char !== '\\') {
      value += char
      index += 1
      continue
    }
    const escape = input.charAt(index + 1)
    const replacement = Object.hasOwn(ESCAPES, escape) ? ESCAPES[escape] : undefined
    if (escape === 'u') {
      const hex = input.slice(index + 2, index + 6)
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw invalidFilter(`Invalid \\u escape in a string ${at(index)}.`)
      value += String.fromCharCode(parseInt(hex, 16))
      index += 6
    } else if (replacement !== undefined) {
      value += replacement
      index += 2
    } else {
      throw invalidFilter(
        `Invalid escape sequence in a string ${at(index)}: use \\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX.`,
      )
    }
  }
  throw invalidFilter(`Unterminated string starting ${at(start)}: a closing '"' is missing.`)
}

class Parser {
  private index = 0
  private depth = 0
  private comparisons = 0

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.parseOr(false)
    const next = this.peek()
    if (next.kind !== 'end') {
      const hint = next.kind === ')' ? ' (no matching "(")' : ''
      throw invalidFilter(
        `Unexpected ${describe(next)} ${at(next.position)}${hint}: expected 'and', 'or' or the end of the filter.`,
      )
    }
    return node
  }

  private peek(offset = 0): Token {
    // The last token is always 'end', and the index never moves past it.
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] ?? { kind: 'end', position: 0 }
  }

  private next(): Token {
    const token = this.peek()
    if (token.kind !== 'end') this.index += 1
    return token
  }

  private keyword(token: Token): string | undefined {
    return token.kind === 'word' ? token.text.toLowerCase() : undefined
  }

  private parseOr(inValuePath: boolean): FilterNode {
    const filters: [FilterNode, ...FilterNode[]] = [this.parseAnd(inValuePath)]
    while (this.keyword(this.peek()) === 'or') {
      this.next()
      filters.push(this.parseAnd(inValuePath))
    }
    return combine('or', filters)
  }

  private parseAnd(inValuePath: boolean): FilterNode {
    const filters: [FilterNode, ...FilterNode[]] = [this.parseUnary(inValuePath)]
    while (this.keyword(this.peek()) === 'and') {
      this.next()
      filters.push(this.parseUnary(inValuePath))
    }
    return combine('and', filters)
  }

  private parseUnary(inValuePath: boolean): FilterNode {
    const token = this.peek()
    if (token.kind === '(') {
      this.next()
      const inner = this.nested(() => this.parseOr(inValuePath))
      this.expect(')', `to close the '(' ${at(token.position)}`)
      return inner
    }
    if (this.keyword(token) === 'not' && this.peek(1).kind === '(') {
      this.next()
      const open = this.next()
      const inner = this.nested(() => this.parseOr(inValuePath))
      this.expect(')', `to close the 'not (' ${at(open.position)}`)
      return { op: 'not', filter: inner }
    }
    if (this.keyword(token) === 'not') {
      throw invalidFilter(`Expected '(' after 'not' ${at(token.position)}: write not (expression).`)
    }
    return this.parseAttributeExpression(inValuePath)
  }

  private parseAttributeExpression(inValuePath: boolean): FilterNode {
    const attrPath = this.parsePath()
    const after = this.peek()
    if (after.kind !== '[') return this.parseOperation(attrPath)
    if (inValuePath) {
      throw invalidFilter(`Nested value filter ${at(after.position)}: a value path cannot contain another '['.`)
    }
    this.next()
    const inner = this.nested(() => this.parseOr(true))
    this.expect(']', `to close the '[' ${at(after.position)}`)
    const sub = this.peek()
    if (sub.kind !== 'word' || !sub.text.startsWith('.')) return { op: '[]', attrPath, filter: inner }
    // `emails[type eq "work"].value eq "x"`: the PATCH path form, read as one value filter.
    this.next()
    const match = SUB_ATTRIBUTE.exec(sub.text)
    const subAttribute = match?.[1]
    if (!subAttribute) throw invalidFilter(`Invalid sub-attribute '${clip(sub.text)}' ${at(sub.position)} after ']'.`)
    return { op: '[]', attrPath, filter: combine('and', [inner, this.parseOperation(subAttribute)]) }
  }

  private parsePath(): string {
    const token = this.next()
    if (token.kind !== 'word') {
      throw invalidFilter(`Expected an attribute name ${at(token.position)}, found ${describe(token)}.`)
    }
    if (!PLAIN_PATH.test(token.text) && !URN_PATH.test(token.text)) {
      throw invalidFilter(`Invalid attribute path '${clip(token.text)}' ${at(token.position)}.`)
    }
    return token.text
  }

  /** The operator and value after an attribute path. */
  private parseOperation(attrPath: string): FilterNode {
    this.comparisons += 1
    if (this.comparisons > MAX_FILTER_COMPARISONS) {
      throw tooMany(`Filter has more than the limit of ${MAX_FILTER_COMPARISONS} comparisons.`)
    }
    const token = this.next()
    const op = this.keyword(token)
    if (op === 'pr') return { op: 'pr', attrPath }
    if (op === undefined || !isCompareOperator(op)) {
      throw invalidFilter(
        `Expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after '${clip(attrPath)}' ${at(token.position)}, found ${describe(token)}.`,
      )
    }
    const compValue = this.parseValue(op)
    if (typeof compValue === 'string' && hasUnstorableText(compValue)) {
      throw invalidFilter(`The filter value for ${unstorableTextMessage(clip(attrPath))}`)
    }
    return { op, attrPath, compValue }
  }

  private parseValue(op: string): CompValue {
    const token = this.next()
    if (token.kind === 'string') return token.value
    if (token.kind === 'word') {
      const lower = token.text.toLowerCase()
      if (lower === 'true') return true
      if (lower === 'false') return false
      if (lower === 'null') return null
      if (NUMBER.test(token.text)) {
        const number = Number(token.text)
        if (Number.isFinite(number)) return number
      }
    }
    throw invalidFilter(
      `Expected a value (a quoted string, a number, true, false or null) after '${op}' ${at(token.position)}, found ${describe(token)}.`,
    )
  }

  private expect(kind: ')' | ']', purpose: string): void {
    const token = this.next()
    if (token.kind !== kind) {
      throw invalidFilter(`Expected '${kind}' ${at(token.position)} ${purpose}, found ${describe(token)}.`)
    }
  }

  private nested<T>(parse: () => T): T {
    this.depth += 1
    if (this.depth > MAX_FILTER_DEPTH) {
      throw tooMany(`Filter is nested too deeply: the limit is ${MAX_FILTER_DEPTH} levels of parentheses, not and value paths.`)
    }
    try {
      return parse()
    } finally {
      this.depth -= 1
    }
  }
}

/** One operand stays itself; nested operands of the same operator are flattened (`and` is associative). */
function combine(op: 'and' | 'or', filters: [FilterNode, ...FilterNode[]]): FilterNode {
  if (filters.length === 1) return filters[0]
  return { op, filters: filters.flatMap((filter) => (filter.op === op ? filter.filters : [filter])) }
}
