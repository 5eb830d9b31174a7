import { describe, expect, it } from 'vitest'
import { safeRedirectPath } from './redirects'

describe('safeRedirectPath', () => {
  it.each([
    ['/idps', '/idps'],
    ['/logs?status=500#top', '/logs?status=500#top'],
    ['/users/../operators', '/operators'],
  ])('keeps the path of this site %s', (input, expected) => {
    expect(safeRedirectPath(input)).toBe(expected)
  })

  it.each([
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/%0a/evil.example'.replace('%0a', '\n'),
    '/\t/evil.example',
    'evil.example',
    '',
    '/'.padEnd(3000, 'a'),
  ])('sends %j to the dashboard instead', (input) => {
    expect(safeRedirectPath(input)).toBe('/dashboard')
  })

  it('refuses what is not a string', () => {
    expect(safeRedirectPath(['/idps'])).toBe('/dashboard')
    expect(safeRedirectPath(undefined, '/login')).toBe('/login')
  })
})
