import { invalidValue, ScimError } from './errors'

/**
 * The limits on what one SCIM request may ask of the server: the one place their numbers live, read by the
 * checks, by /ServiceProviderConfig and by the tests. Entra ID's real payloads stay far inside every one of
 * them (a user has a handful of emails and phone numbers, a PATCH a few dozen operations).
 */
export const scimLimits = {
  /** Operations in one PatchOp body (RFC 7644 §3.5.2). */
  maxPatchOperations: 100,
  /** Attribute changes in one PATCH: operations with a path, plus each member of a path-less or schema value. */
  maxPatchWrites: 1000,
  /** Values of one multi-valued attribute, in a POST or PUT body and in the result of each PATCH operation. */
  maxAttributeValues: 100,
  /** Any string in a request body, as UTF-8 (attribute values, object keys, PATCH paths). */
  maxStringBytes: 64 * 1024,
  /** The stored resource: the serialized JSON of the user a POST, PUT or PATCH would store, as UTF-8. */
  maxResourceBytes: 256 * 1024,
  /** Attribute comparisons (`attr op value`, `attr pr`) in one filter, value paths included. */
  maxFilterComparisons: 50,
  /** Levels of nesting in one filter: parentheses, `not (…)` and value paths `attr[…]`. */
  maxFilterDepth: 20,
  /** Characters of one filter. */
  maxFilterLength: 4096,
  /** Nesting of objects and arrays in a request body; SCIM resources need four. */
  maxJsonDepth: 32,
  /** Elements of any one array in a request body; larger than every legitimate SCIM array. */
  maxJsonArrayLength: 1000,
  /** Members of any one object in a request body; a User has a few dozen attributes. */
  maxJsonObjectMembers: 1000,
  /** Resources in one page of a list response (RFC 7644 §3.4.2.4 `count`). */
  maxPageSize: 1000,
  /** Resources in a page when the request gives no `count`. */
  defaultPageSize: 100,
} as const

/** The UTF-8 length of a string, without encoding it. Lone surrogates count as the 3 bytes of U+FFFD. */
export function utf8ByteLength(text: string): number {
  let bytes = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      index += 1
    } else bytes += 3
  }
  return bytes
}

/** Quick check before counting: a string of at most limit/3 UTF-16 units cannot exceed `limit` bytes. */
export function exceedsUtf8Bytes(text: string, limit: number): boolean {
  if (text.length * 3 <= limit) return false
  if (text.length > limit) return true
  return utf8ByteLength(text) > limit
}

export function stringTooLong(label: string): ScimError {
  return invalidValue(`'${label}' is longer than the limit of ${scimLimits.maxStringBytes} bytes per string.`)
}

export function tooManyValues(label: string, count: number): ScimError {
  return invalidValue(
    `'${label}' has ${count} values; the limit is ${scimLimits.maxAttributeValues} values per multi-valued attribute.`,
  )
}

/** Refuses a multi-valued attribute holding more values than the limit. */
export function assertValueCount(values: readonly unknown[], label: string): void {
  if (values.length > scimLimits.maxAttributeValues) throw tooManyValues(label, values.length)
}

/**
 * Refuses a canonical resource that breaks a storage limit: more values in a multi-valued attribute than
 * allowed, or a serialized size over the limit. One pass over the top-level and extension attributes plus
 * one JSON serialization: linear in the resource.
 */
export function assertResourceWithinLimits(resource: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(resource)) {
    if (Array.isArray(value)) assertValueCount(value, key)
    else if (typeof value === 'object' && value !== null) {
      for (const [name, item] of Object.entries(value)) if (Array.isArray(item)) assertValueCount(item, `${key}:${name}`)
    }
  }
  const json = JSON.stringify(resource)
  if (exceedsUtf8Bytes(json, scimLimits.maxResourceBytes)) {
    const bytes = utf8ByteLength(json)
    throw invalidValue(
      `The resource would be ${bytes} bytes of JSON; the limit is ${scimLimits.maxResourceBytes} bytes per stored resource.`,
    )
  }
}
