/**
 * Secrets never reach the request log. The Authorization header is not stored at all; bodies, attribute
 * changes, error details, paths and queries lose the SCIM `password` attribute in every shape (plain,
 * URN-qualified, as a PATCH `path` with its `value`, inside path-less value maps, nested anywhere), anything
 * named like a secret, bearer credentials and anything shaped like one of our tokens.
 *
 * Valid JSON is redacted on its parsed form. Text that is not JSON, is truncated, or nests deeper than we walk
 * goes through a lenient scanner that needs no valid syntax (unterminated strings, reordered keys, JSON inside
 * JSON strings with escaped quotes), followed by a pattern pass for `name: value`, `name=value` and filter
 * shapes, so malformed input is no way around it. When in doubt a value is hidden: a false positive costs a
 * log detail, a miss leaks a password to every support operator.
 */

export const REDACTED = '[REDACTED]'
const REDACTED_JSON = JSON.stringify(REDACTED)

/** A name (object key, PATCH path, query parameter) that announces a secret. Deliberately broad. */
const SECRET_WORD = String.raw`(?:pass|pwd|secret|token|authoriz|credential|api[-_]?key|private[-_]?key)`
const SECRET_NAME = new RegExp(SECRET_WORD, 'i')
const TOKEN_SHAPE = /ttscim_[A-Za-z0-9_-]+/g
/** `Bearer <credential>`, also with the space URL-encoded; the words prose puts after it are left alone. */
const BEARER = /\b(bearer)(?:\s|%20|\+)+(?!(?:tokens?|auth\w*|scheme|credentials?|realm|is|was|or|and)\b)[A-Za-z0-9\-._~+/]+=*/gi
/**
 * V8 quotes the text around a JSON syntax error (`Unexpected token 'x', ..."ue":hunter2"... is not valid JSON`):
 * the excerpt may be the middle of a password with its key out of sight, so it is never kept.
 */
const JSON_ERROR_EXCERPT = /(?:\.\.\.)?"[^]*"(?:\.\.\.)? is not valid JSON/
const JSON_ERROR_MARK = 'is not valid JSON'

/**
 * Cheap pre-checks: a text that matches none of these holds nothing to redact, so ordinary bodies cost one
 * regular-expression scan. `\u` escapes and `%XX` could spell a secret name without matching it literally.
 */
const STRING_MAY_HOLD_SECRET = new RegExp(String.raw`${SECRET_WORD}|bearer|ttscim_|${JSON_ERROR_MARK}`, 'i')
const TEXT_MAY_HOLD_SECRET = new RegExp(String.raw`${SECRET_WORD}|bearer|ttscim_|${JSON_ERROR_MARK}|\\u`, 'i')
const LOG_TEXT_MAY_HOLD_SECRET = new RegExp(String.raw`${SECRET_WORD}|bearer|ttscim_|${JSON_ERROR_MARK}|\\u|%[0-9a-f]{2}`, 'i')
const NEEDS_STRUCTURE = new RegExp(String.raw`${SECRET_WORD}|\\u`, 'i')

/** Deeper JSON than this is redacted as text (its shape is no help then, and recursion must stay bounded). */
const MAX_JSON_DEPTH = 64
/** JSON inside a JSON string inside …: beyond this many levels, a string naming a secret is hidden whole. */
const MAX_TEXT_LEVEL = 4

class TooDeep extends Error {}

function replaceTokens(text: string): string {
  return text.replace(TOKEN_SHAPE, REDACTED).replace(BEARER, `$1 ${REDACTED}`)
}

/** A JSON syntax error's message without the excerpt of the text it quotes. */
export function withoutJsonExcerpt(message: string): string {
  return message.includes(JSON_ERROR_MARK) ? message.replace(JSON_ERROR_EXCERPT, `(excerpt hidden) ${JSON_ERROR_MARK}`) : message
}

/** Keys and attribute names keep their name (it says what was hidden) but lose token shapes. */
function redactName(name: string): string {
  return STRING_MAY_HOLD_SECRET.test(name) ? replaceTokens(name) : name
}

function isPathKey(key: string): boolean {
  return key.length === 4 && key.toLowerCase() === 'path'
}

function isValueKey(key: string): boolean {
  return key.length === 5 && key.toLowerCase() === 'value'
}

/** A string value: token shapes go, and a string that itself holds structure naming a secret is scanned. */
function redactString(text: string, level: number): string {
  if (!STRING_MAY_HOLD_SECRET.test(text)) return text
  const out = replaceTokens(withoutJsonExcerpt(text))
  if (!SECRET_NAME.test(out) || isPlainName(out)) return out
  return level < MAX_TEXT_LEVEL ? redactStructure(out, level + 1) : REDACTED
}

const NAME_CHARACTERS = /^[\w.$:-]*$/

/**
 * An attribute name or path such as `password` or `urn:…:User:password` (the PATCH `path` itself): it names a
 * secret but cannot hold one, as nothing follows the name.
 */
function isPlainName(text: string): boolean {
  return NAME_CHARACTERS.test(text) && SECRET_NAME.test(text.slice(text.lastIndexOf(':') + 1))
}

/**
 * Parsed JSON: a secret-named key hides its value, and an object whose `path` (any case) names a secret hides
 * its `value` — the PATCH operation `{"op":"replace","path":"password","value":"…"}` in every spelling.
 */
function redactJson(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactString(value, 0)
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_JSON_DEPTH) throw new TooDeep()
  if (Array.isArray(value)) return value.map((item) => redactJson(item, depth + 1))
  const entries = Object.entries(value)
  const secretPath = entries.some(([key, inner]) => isPathKey(key) && typeof inner === 'string' && SECRET_NAME.test(inner))
  return Object.fromEntries(
    entries.map(([key, inner]) => [
      redactName(key),
      SECRET_NAME.test(key) || (secretPath && isValueKey(key)) ? REDACTED : redactJson(inner, depth + 1),
    ]),
  )
}

type Edit = { start: number; end: number; text: string }

function applyEdits(text: string, edits: Edit[]): string {
  if (edits.length === 0) return text
  // An edit inside a wider one (a secret inside a hidden value) is dropped: the wider one hides it already.
  edits.sort((a, b) => a.start - b.start || b.end - a.end)
  let out = ''
  let at = 0
  for (const edit of edits) {
    if (edit.start < at) continue
    out += text.slice(at, edit.start) + edit.text
    at = edit.end
  }
  return out + text.slice(at)
}

const QUOTE = 34
const BACKSLASH = 92

/** The index after the closing quote of the string starting at `start`, or the text's end if it never closes. */
function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code === BACKSLASH) index++
    else if (code === QUOTE) return index + 1
  }
  return text.length
}

/** The index after the bracket closing the container opened at `start`, or the text's end. */
function containerEnd(text: string, start: number): number {
  let depth = 0
  for (let index = start; index < text.length; index++) {
    const char = text[index]
    if (char === '"') index = stringEnd(text, index) - 1
    else if (char === '{' || char === '[') depth++
    else if ((char === '}' || char === ']') && --depth === 0) return index + 1
  }
  return text.length
}

function decodeStringToken(text: string, start: number, end: number): string {
  const token = text.slice(start, end)
  try {
    return JSON.parse(token.length > 1 && token.endsWith('"') ? token : `${token}"`) as string
  } catch {
    return token.slice(1, token.endsWith('"') && token.length > 1 ? -1 : undefined)
  }
}

const SPACE = /\s/
const BAREWORD_END = /[\s"{}[\],:]/

function skipSpace(text: string, index: number): number {
  while (index < text.length && SPACE.test(text[index]!)) index++
  return index
}

function barewordEnd(text: string, start: number): number {
  let index = start
  while (index < text.length && !BAREWORD_END.test(text[index]!)) index++
  return index
}

type Frame = {
  pendingKey: string | null
  /** The `path` of this object names a secret: its `value` is hidden when the object closes. */
  secretPath: boolean
  valueRange: { start: number; end: number } | null
  keyInParent: string | null
  start: number
}

function frame(keyInParent: string | null, start: number): Frame {
  return { pendingKey: null, secretPath: false, valueRange: null, keyInParent, start }
}

type Scan = { text: string; level: number; edits: Edit[]; stack: Frame[] }

function closeFrame(scan: Scan, closed: Frame, end: number): void {
  if (closed.secretPath && closed.valueRange) scan.edits.push({ ...closed.valueRange, text: REDACTED_JSON })
  const parent = scan.stack[scan.stack.length - 1]
  if (parent && closed.keyInParent !== null && isValueKey(closed.keyInParent)) parent.valueRange = { start: closed.start, end }
}

function scanScalar(scan: Scan, current: Frame, start: number, end: number, value: string, isString: boolean): void {
  const key = current.pendingKey
  current.pendingKey = null
  if (key !== null) {
    if (SECRET_NAME.test(key)) {
      scan.edits.push({ start, end, text: REDACTED_JSON })
      return
    }
    if (isPathKey(key) && SECRET_NAME.test(value)) current.secretPath = true
    else if (isValueKey(key)) current.valueRange = { start, end }
  }
  if (isString) {
    const redacted = redactString(value, scan.level)
    if (redacted !== value) scan.edits.push({ start, end, text: JSON.stringify(redacted) })
  }
}

/**
 * A lenient, linear, non-recursive scan of JSON-like text: keys (quoted or bare) and their values are found
 * without requiring valid syntax, so the structural rules of `redactJson` apply to malformed, truncated and
 * arbitrarily deep text too.
 */
function redactJsonLike(text: string, level: number): string {
  const scan: Scan = { text, level, edits: [], stack: [frame(null, 0)] }
  const { stack } = scan
  let index = 0
  while (index < text.length) {
    const current = stack[stack.length - 1]!
    const char = text[index]!
    if (char === '"') {
      const end = stringEnd(text, index)
      const value = decodeStringToken(text, index, end)
      const after = skipSpace(text, end)
      if (text[after] === ':') {
        current.pendingKey = value
        index = after + 1
      } else {
        scanScalar(scan, current, index, end, value, true)
        index = end
      }
    } else if (char === '{' || char === '[') {
      const key = current.pendingKey
      current.pendingKey = null
      if (key !== null && SECRET_NAME.test(key)) {
        const end = containerEnd(text, index)
        scan.edits.push({ start: index, end, text: REDACTED_JSON })
        index = end
      } else {
        stack.push(frame(key, index))
        index++
      }
    } else if (char === '}' || char === ']') {
      if (stack.length > 1) closeFrame(scan, stack.pop()!, index + 1)
      index++
    } else if (char === ',') {
      current.pendingKey = null
      index++
    } else if (char === ':' || SPACE.test(char)) {
      index++
    } else {
      const end = barewordEnd(text, index)
      const after = skipSpace(text, end)
      if (text[after] === ':') {
        current.pendingKey = text.slice(index, end)
        index = after + 1
      } else {
        scanScalar(scan, current, index, end, text.slice(index, end), false)
        index = end
      }
    }
  }
  while (stack.length > 0) closeFrame(scan, stack.pop()!, text.length)
  return applyEdits(text, scan.edits)
}

/** `password: x`, `"password":"x"`, `password=x`, `\"password\":\"x\"`, `password eq "x"`, with any prefix. */
const LOOSE_SECRET_PAIR = new RegExp(
  String.raw`${SECRET_WORD}[\w.-]*(?:\\*["'])*\s*[:=]\s*|${SECRET_WORD}[\w.:-]*\s+(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+`,
  'gi',
)
/** Any mention of a secret name, to find the `value` entries that may belong to it. */
const SECRET_MENTION = new RegExp(SECRET_WORD, 'gi')
/** Both loose patterns need a separator after a name: without one, there is nothing to scan for. */
const LOOSE_ANY = /[:=]|\s(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s/i
const LOOSE_VALUE_KEY = /\bvalue(?:\\*["'])*\s*[:=]\s*/gi
/**
 * How near a secret name a `value` entry must sit to be hidden: the rest of one PATCH operation. Where the
 * structure is broken, which `path` a `value` belongs to cannot be known, so every value near one is hidden.
 */
const MENTION_WINDOW = 512
const LEADING_QUOTE = /(\\*)(["'])/y
const STRAY = /[\s})\]]/
const BARE_VALUE_END = /[\s,;&})\]]/

function looseValueEdit(text: string, from: number): Edit | null {
  // Stray closing brackets after the separator belong to broken structure, not to the value.
  let start = from
  while (start < text.length && STRAY.test(text[start]!)) start++
  LEADING_QUOTE.lastIndex = start
  const quoted = LEADING_QUOTE.exec(text)
  if (quoted) {
    const escapes = quoted[1]!.length
    const quote = quoted[2]!
    for (let index = start + quoted[0].length; index < text.length; index++) {
      if (text[index] !== quote) continue
      let backslashes = 0
      while (backslashes < index && text.charCodeAt(index - 1 - backslashes) === BACKSLASH) backslashes++
      if (backslashes === escapes || (escapes === 0 && backslashes % 2 === 0)) {
        return { start, end: index + 1, text: `${quoted[1]}${quote}${REDACTED}${quoted[1]}${quote}` }
      }
    }
    return { start, end: text.length, text: REDACTED }
  }
  if (text.startsWith(REDACTED, start)) return null
  const char = text[start]
  if (char === '{' || char === '[') return { start, end: containerEnd(text, start), text: REDACTED_JSON }
  let end = start
  while (end < text.length && !BARE_VALUE_END.test(text[end]!)) end++
  return end > start ? { start, end, text: REDACTED } : null
}

/** The pattern pass: what a broken structure (an error message quoting half a body, say) still shows. */
function redactLoosePairs(text: string): string {
  if (!LOOSE_ANY.test(text)) return text
  const edits: Edit[] = []
  for (const match of text.matchAll(LOOSE_SECRET_PAIR)) {
    const edit = looseValueEdit(text, match.index + match[0].length)
    if (edit) edits.push(edit)
  }
  const mentions = Array.from(text.matchAll(SECRET_MENTION), (match) => match.index)
  let next = 0
  for (const value of text.matchAll(LOOSE_VALUE_KEY)) {
    while (next < mentions.length && mentions[next]! < value.index - MENTION_WINDOW) next++
    if (next < mentions.length && mentions[next]! <= value.index + MENTION_WINDOW) {
      const edit = looseValueEdit(text, value.index + value[0].length)
      if (edit) edits.push(edit)
    }
  }
  return applyEdits(text, edits)
}

function redactStructure(text: string, level: number): string {
  return redactLoosePairs(redactJsonLike(text, level))
}

function redactText(text: string, level: number): string {
  const out = replaceTokens(text)
  return NEEDS_STRUCTURE.test(out) ? redactStructure(out, level) : out
}

/**
 * A request or response body as stored in the log: compact JSON (the portal pretty-prints it) with secrets
 * replaced, or the text, redacted by the lenient scan, when it is not JSON or nests too deeply. Not truncated
 * here: redaction sees the whole body (a PATCH `path` may follow its `value`), the log caps what it stores.
 */
export function redactBodyText(text: string | null | undefined): string | null {
  if (!text) return null
  if (!TEXT_MAY_HOLD_SECRET.test(text)) return text
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return redactText(text, 0)
  }
  try {
    return JSON.stringify(redactJson(parsed, 0))
  } catch {
    return redactText(text, 0)
  }
}

function redactChangeValue(value: unknown): unknown {
  try {
    return redactJson(value, 0)
  } catch {
    try {
      return redactText(JSON.stringify(value), 0)
    } catch {
      return REDACTED
    }
  }
}

/** Attribute changes (old → new): a secret-named attribute hides both sides; values get the body rules. */
export function redactChanges<T extends { attribute: string; old: unknown; new: unknown }>(changes: T[]): T[] {
  return changes.map((change) => {
    const attribute = redactName(change.attribute)
    return SECRET_NAME.test(change.attribute)
      ? { ...change, attribute, old: change.old === null ? null : REDACTED, new: change.new === null ? null : REDACTED }
      : { ...change, attribute, old: redactChangeValue(change.old), new: redactChangeValue(change.new) }
  })
}

const PERCENT_RUN = /(?:%[0-9a-f]{2})+/gi

function percentDecode(text: string): string {
  let out = text
  // A few rounds, so double encoding hides nothing either.
  for (let round = 0; round < 3 && out.includes('%'); round++) {
    const next = out.replace(/\+/g, ' ').replace(PERCENT_RUN, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
    if (next === out) break
    out = next
  }
  return out
}

/**
 * A line of text for the log — the request path, the query string, an error detail: token shapes, bearer
 * credentials, secret-named parameters (`?access_token=…`), filter comparisons on secret attributes and
 * JSON fragments quoted in error messages are hidden. A URL part that hid a secret only once percent-decoded
 * is stored decoded (and redacted); otherwise the text is kept as sent.
 */
export function redactLogText<T extends string | null | undefined>(text: T): T {
  if (!text || !LOG_TEXT_MAY_HOLD_SECRET.test(text)) return text
  const redacted = redactText(withoutJsonExcerpt(text), 0)
  const decoded = percentDecode(redacted)
  if (decoded === redacted) return redacted as T
  const decodedRedacted = redactText(decoded, 0)
  return (decodedRedacted === decoded ? redacted : decodedRedacted) as T
}
