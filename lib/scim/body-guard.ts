import { hasUnstorableText, unstorableTextMessage, escapeUnstorableText } from '../storable-text'
import { invalidValue, type ScimError } from './errors'
import { exceedsUtf8Bytes, scimLimits, stringTooLong } from './limits'

/**
 * The structural guard for every parsed SCIM request body.
 *
 * Contract: call it on the value `JSON.parse` returned, before anything else reads the body. It returns null
 * when the body is safe to hand to the protocol code, else the first violation as a 400 `invalidValue`
 * ScimError whose detail names the JSON path of the offending part (`emails[0].value`) and the limit:
 * - objects and arrays nested deeper than `scimLimits.maxJsonDepth`;
 * - an array longer than `scimLimits.maxJsonArrayLength`, an object with more than `scimLimits.maxJsonObjectMembers` members;
 * - a string or object key longer than `scimLimits.maxStringBytes` (UTF-8);
 * - a string or object key holding text PostgreSQL cannot store (NUL, a lone UTF-16 surrogate).
 * It never throws, never recurses (an explicit stack) and visits each value once: O(size of the body).
 * Everything downstream (readUserInput, applyPatch, diff, projection) relies on these bounds.
 */
export function inspectRequestBody(body: unknown): ScimError | null {
  const stack: Frame[] = [{ value: body, parent: null, key: null, depth: 0 }]
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value, depth } = frame
    if (typeof value === 'string') {
      const problem = stringProblem(value, frame)
      if (problem) return problem
      continue
    }
    if (typeof value !== 'object' || value === null) continue
    if (depth + 1 > scimLimits.maxJsonDepth) {
      return invalidValue(
        `'${pathOf(frame)}' is nested deeper than the limit of ${scimLimits.maxJsonDepth} levels of objects and arrays.`,
      )
    }
    if (Array.isArray(value)) {
      if (value.length > scimLimits.maxJsonArrayLength) {
        return invalidValue(
          `'${pathOf(frame)}' has ${value.length} elements; the limit is ${scimLimits.maxJsonArrayLength} elements per array.`,
        )
      }
      // Pushed in reverse, so the first problem in document order is the one reported.
      for (let index = value.length - 1; index >= 0; index--)
        stack.push({ value: value[index], parent: frame, key: index, depth: depth + 1 })
      continue
    }
    const keys = Object.keys(value)
    if (keys.length > scimLimits.maxJsonObjectMembers) {
      return invalidValue(
        `'${pathOf(frame)}' has ${keys.length} members; the limit is ${scimLimits.maxJsonObjectMembers} members per object.`,
      )
    }
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index] as string
      const child: Frame = { value: (value as Record<string, unknown>)[key], parent: frame, key, depth: depth + 1 }
      if (exceedsUtf8Bytes(key, scimLimits.maxStringBytes))
        return invalidValue(
          `An attribute name in '${pathOf(frame)}' is longer than the limit of ${scimLimits.maxStringBytes} bytes per string.`,
        )
      if (hasUnstorableText(key)) return invalidValue(unstorableTextMessage(pathOf(child)))
      stack.push(child)
    }
  }
  return null
}

/**
 * The nesting check on the raw body text, for the funnel to run before JSON.parse: V8 parses a megabyte of
 * `[[[[…` in hundreds of milliseconds before inspectRequestBody could refuse it. Counts brackets outside
 * strings in one pass; returns the same 400 as inspectRequestBody, or null (then parse, then inspect).
 */
export function inspectRequestText(text: string): ScimError | null {
  let depth = 0
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (inString) {
      if (code === 0x5c)
        index++ // backslash: skip the escaped character
      else if (code === 0x22) inString = false
    } else if (code === 0x22) {
      inString = true
    } else if (code === 0x7b || code === 0x5b) {
      depth++
      if (depth > scimLimits.maxJsonDepth) {
        return invalidValue(
          `The body is nested deeper than the limit of ${scimLimits.maxJsonDepth} levels of objects and arrays.`,
        )
      }
    } else if (code === 0x7d || code === 0x5d) {
      depth--
    }
  }
  return null
}

type Frame = { value: unknown; parent: Frame | null; key: string | number | null; depth: number }

function stringProblem(value: string, frame: Frame): ScimError | null {
  if (exceedsUtf8Bytes(value, scimLimits.maxStringBytes)) return stringTooLong(pathOf(frame))
  if (hasUnstorableText(value)) return invalidValue(unstorableTextMessage(pathOf(frame)))
  return null
}

const MAX_SEGMENT = 100

/** `emails[0].value`, `urn:…:User.manager`; built only for an error, segments clipped and made storable. */
function pathOf(frame: Frame): string {
  const segments: string[] = []
  for (let current: Frame | null = frame; current && current.key !== null; current = current.parent) {
    if (typeof current.key === 'number') segments.push(`[${current.key}]`)
    else {
      const key = current.key.length > MAX_SEGMENT ? `${current.key.slice(0, MAX_SEGMENT)}…` : current.key
      segments.push(`${current.parent?.key === null ? '' : '.'}${escapeUnstorableText(key)}`)
    }
  }
  const path = segments.reverse().join('')
  return path === '' ? '(the body)' : path
}
