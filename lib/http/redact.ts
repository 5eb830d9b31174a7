/**
 * Secrets never reach the request log: the Authorization header is not stored at all, and bodies lose
 * passwords, anything named like a secret, and anything shaped like one of our tokens.
 */
const SECRET_KEY = /pass(word)?|secret|token|authorization|credential|api[-_]?key/i
const TOKEN_SHAPE = /ttscim_[A-Za-z0-9_-]+/g
export const REDACTED = '[REDACTED]'
const MAX_STORED_BODY = 64 * 1024

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? REDACTED : redactValue(inner)]),
    )
  }
  if (typeof value === 'string') return value.replace(TOKEN_SHAPE, REDACTED)
  return value
}

function truncate(text: string): string {
  return text.length > MAX_STORED_BODY ? `${text.slice(0, MAX_STORED_BODY)}… [truncated, ${text.length} characters]` : text
}

/** Cheap pre-check on the text: only a body that mentions a secret-like name needs the full rewrite. */
const SECRET_KEY_ANYWHERE = /pass|secret|token|authoriz|credential|api[-_]?key|ttscim_/i

/**
 * A body as stored in the log: compact JSON (the portal pretty-prints it) with secrets replaced, or the raw
 * text, masked, when it is not JSON.
 */
export function redactBodyText(text: string | null | undefined): string | null {
  if (!text) return null
  if (!SECRET_KEY_ANYWHERE.test(text)) return truncate(text)
  try {
    return truncate(JSON.stringify(redactValue(JSON.parse(text))))
  } catch {
    return truncate(text.replace(TOKEN_SHAPE, REDACTED))
  }
}

/** Attribute changes (old → new) get the same treatment: a secret-named attribute or a token-shaped value. */
export function redactChanges<T extends { attribute: string; old: unknown; new: unknown }>(changes: T[]): T[] {
  return changes.map((change) =>
    SECRET_KEY.test(change.attribute)
      ? { ...change, old: change.old === null ? null : REDACTED, new: change.new === null ? null : REDACTED }
      : { ...change, old: redactValue(change.old), new: redactValue(change.new) },
  )
}
