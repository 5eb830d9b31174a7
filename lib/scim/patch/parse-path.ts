import { escapeUnstorableText, hasUnstorableText, unstorableTextMessage } from '../../storable-text'
import { ScimError, invalidPath } from '../errors'
import type { FilterNode } from '../filter/ast'
import { parseFilter } from '../filter/parse'

/**
 * A PATCH path, RFC 7644 §3.5.2: `PATH = attrPath / valuePath [subAttr]`. `attribute` is the attribute
 * path before any filter, as sent (`emails`, `name.givenName`, `urn:…:User:manager`, or a bare schema URN);
 * resolving it against the schema is the caller's business.
 */
export type PatchPath = {
  attribute: string
  /** The value filter, over the sub-attributes of one element (`emails[type eq "work"]`). */
  filter?: FilterNode
  subAttribute?: string
}

const NAME = '[A-Za-z$_][\\w$-]*'
// [URI ":"] ATTRNAME *1subAttr; the URN may end in ":" or, as on Entra's mapping screen, in "User.".
const ATTRIBUTE_PATH = new RegExp(`^(?:urn:[\\w.:-]+[:.])?${NAME}(?:\\.${NAME})?$`, 'i')
const SUB_ATTRIBUTE = new RegExp(`^\\.(${NAME})$`)

export function parsePatchPath(raw: string): PatchPath {
  if (hasUnstorableText(raw)) {
    const shown = escapeUnstorableText(raw.length > 100 ? `${raw.slice(0, 100)}…` : raw)
    throw invalidPath(`The PATCH path ${unstorableTextMessage(shown)}`)
  }
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
  const filter = parseBracketFilter(path.slice(open + 1, close), raw)
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

/** The bracket text is an ordinary filter (RFC 7644 §3.4.2.2 valFilter); in a PATCH path a bad one is invalidPath (§3.5.2). */
function parseBracketFilter(source: string, raw: string): FilterNode {
  try {
    return parseFilter(source)
  } catch (error) {
    if (!(error instanceof ScimError) || error.scimType !== 'invalidFilter') throw error
    throw invalidPath(`'${raw}' has a malformed value filter '${source}': ${error.detail}`)
  }
}
