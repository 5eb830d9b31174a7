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

/** A body as stored in the log: pretty JSON with secrets replaced, or the raw text (masked) if not JSON. */
export function redactBodyText(text: string | null | undefined): string | null {
  if (!text) return null
  try {
    return truncate(JSON.stringify(redactValue(JSON.parse(text)), null, 2))
  } catch {
    return truncate(text.replace(TOKEN_SHAPE, REDACTED))
  }
}

export function redactJson(value: unknown): string | null {
  if (value === undefined) return null
  return truncate(JSON.stringify(redactValue(value), null, 2))
}
