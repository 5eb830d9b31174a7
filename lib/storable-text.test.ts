import { describe, expect, it } from 'vitest'
import { escapeUnstorableText, hasUnstorableText } from './storable-text'

describe('storable text', () => {
  it.each([
    ['plain ASCII', 'alice@contoso.com', false],
    ['accents and CJK', 'Zoë 山田', false],
    ['a surrogate pair (emoji)', 'ok \ud83d\ude00', false],
    ['a NUL character', 'ali\u0000ce', true],
    ['a lone high surrogate', 'x\ud800', true],
    ['a lone high surrogate before text', '\ud800abc', true],
    ['a lone low surrogate', '\udc00x', true],
    ['two high surrogates', '\ud83d\ud83d\ude00', true],
  ])('%s', (_name, text, unstorable) => {
    expect(hasUnstorableText(text)).toBe(unstorable)
    expect(hasUnstorableText(escapeUnstorableText(text))).toBe(false)
  })

  it('escapes visibly and leaves valid pairs alone', () => {
    expect(escapeUnstorableText('a\u0000b\ud800c\ud83d\ude00')).toBe('a\\u0000b\\ud800c\ud83d\ude00')
  })
})
