/**
 * Where the portal may send the browser after sign-in: only paths of this site. Rejects absolute URLs,
 * protocol-relative ones (`//evil.example`), backslash tricks (`/\evil.example`, which browsers read as `//`)
 * and control characters, then lets the URL parser have the last word.
 */
export function safeRedirectPath(value: unknown, fallback = '/dashboard'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback
  try {
    const base = 'http://portal.invalid'
    const url = new URL(value, base)
    if (url.origin !== base) return fallback
    return `${url.pathname}${url.search}${url.hash}`
  } catch {
    return fallback
  }
}
