/**
 * Text that PostgreSQL cannot store: `text` columns refuse the NUL character, and `jsonb` refuses `\u0000`
 * and lone UTF-16 surrogates (a high surrogate not followed by a low one, or a low one on its own). JavaScript
 * strings can hold all three, so every edge that takes text from outside checks it here: client input is
 * refused with a clear error naming the field, and the request log escapes it instead (it must never drop a row).
 */

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g')
/** A plain character class is several times faster than the lookarounds: most text has no surrogate at all. */
const SUSPECT = /[\u0000\ud800-\udfff]/

/** Whether `text` holds a character PostgreSQL cannot store. */
export function hasUnstorableText(text: string): boolean {
  return SUSPECT.test(text) && UNSTORABLE.test(text)
}

/** A storable copy for logs: each unstorable character becomes its visible `\uXXXX` escape. */
export function escapeUnstorableText(text: string): string {
  if (!hasUnstorableText(text)) return text
  return text.replace(UNSTORABLE_ALL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** The message every edge uses, so operators and clients read one wording. */
export function unstorableTextMessage(field: string): string {
  return `'${field}' contains a NUL character or an unpaired UTF-16 surrogate, which cannot be stored.`
}
