import { describe, expect, it } from 'vitest'
import { isCommonPassword, needsRehash, passwordSchema, verifyPassword, hashPassword } from './passwords'

const problems = (password: string) => passwordSchema.safeParse(password).error?.issues.map((issue) => issue.message) ?? []

describe('passwordSchema', () => {
  it('accepts a long password that is not in the list', () => {
    expect(problems('violet staircase under rain')).toEqual([])
  })

  it('refuses passwords shorter than 12 characters, counted as characters', () => {
    expect(problems('short pass')).toEqual(['Use at least 12 characters.'])
    // Eleven emoji are 22 UTF-16 units but still eleven characters.
    expect(problems('😀'.repeat(11))).toEqual(['Use at least 12 characters.'])
    expect(problems('😀'.repeat(12))).toEqual([])
  })

  it('refuses common and breached passwords from the bundled list, whatever the case', () => {
    expect(isCommonPassword('1234567890qw')).toBe(true)
    expect(isCommonPassword('123QWEASDZXC')).toBe(true)
    expect(problems('1qaz2wsx3edc')).toEqual(['This password appears in lists of common or breached passwords: choose another.'])
  })

  it('refuses NUL characters and megabyte inputs', () => {
    expect(problems('twelve chars\u0000here')).toContain('A password cannot contain a NUL character.')
    expect(problems('x'.repeat(1_000_000))).toContain('Use at most 200 characters.')
  })
})

describe('verifyPassword', () => {
  it('verifies argon2id and refuses garbage hashes without throwing', async () => {
    const hash = await hashPassword('violet staircase under rain')
    expect(needsRehash(hash)).toBe(false)
    expect(await verifyPassword('violet staircase under rain', hash)).toBe(true)
    expect(await verifyPassword('violet staircase under snow', hash)).toBe(false)
    expect(await verifyPassword('anything', '$argon2id$garbage')).toBe(false)
    expect(await verifyPassword('anything', 'unknown$scheme')).toBe(false)
  })
})
