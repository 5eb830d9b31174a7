import { describe, expect, it } from 'vitest'
import { CompatLog } from '../compat'
import { testUserSchema } from '@/test/fixtures/user-schema'
import { canonicalJson, isPlainObject } from '../json'
import type { UserResource } from '../schema/read-value'
import { applyPatch } from './index'

/**
 * The indexed add and remove-with-value must decide exactly as the straightforward scans they replaced:
 * each incoming value is compared with every element in list order (RFC 7644 §3.5.2.1 de-duplication).
 * These scans are the oracle; random lists with case variants, types, primaries and value-less elements
 * are run through both.
 */
const schema = testUserSchema({ extensionName: 'Ext', customAttributes: [] })
type Element = Record<string, unknown>

const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value)

function sameElement(existing: unknown, item: unknown): boolean {
  if (!isPlainObject(existing) || !isPlainObject(item) || item.value === undefined)
    return canonicalJson(existing) === canonicalJson(item)
  const keys = item.type === undefined ? ['value'] : ['value', 'type']
  return keys.every((key) => lower(existing[key]) === lower(item[key]))
}

function referenceAdd(list: Element[], incoming: Element[]): Element[] {
  const out = list.map((item) => ({ ...item }))
  for (const item of incoming) {
    const same = out.findIndex((existing) => sameElement(existing, item))
    if (same === -1) out.push(item)
    else {
      const { value, type } = out[same] as Element
      out[same] = { ...out[same], ...item, ...(value === undefined ? {} : { value }), ...(type === undefined ? {} : { type }) }
    }
    if (item.primary === true) {
      const keep = same === -1 ? out.length - 1 : same
      out.forEach((element, index) => {
        if (index !== keep && element.primary === true) out[index] = { ...element, primary: false }
      })
    }
  }
  return out
}

function referenceRemove(list: Element[], listed: Element[]): Element[] {
  return list.filter(
    (item) => !listed.some((entry) => Object.entries(entry).every(([key, expected]) => lower(item[key]) === lower(expected))),
  )
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generator(seed: number) {
  const next = random(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const optional = (element: Element, key: string, values: readonly unknown[]) => {
    const value = pick(values)
    if (value !== undefined) element[key] = value
  }
  /** Emails: always a value (a value-less email is only qualifiers and is dropped), in case variants. */
  const email = (primary: boolean): Element => {
    const element: Element = { value: pick(['a@x', 'A@X', 'b@x', 'B@x', 'c@x']) }
    optional(element, 'type', [undefined, 'work', 'WORK', 'home'])
    optional(element, 'display', [undefined, 'd1', 'd2'])
    if (primary) element.primary = true
    else optional(element, 'primary', [undefined, false])
    return element
  }
  /** Addresses have no `value`: they de-duplicate as whole JSON, which a primary flip changes. */
  const address = (primary: boolean): Element => {
    const element: Element = { streetAddress: pick(['s1', 's2', 's3']) }
    optional(element, 'type', [undefined, 'work', 'home'])
    if (primary) element.primary = true
    else optional(element, 'primary', [undefined, false])
    return element
  }
  const list = (make: (primary: boolean) => Element, maxLength: number) => {
    const length = Math.floor(next() * maxLength)
    const primaryAt = next() < 0.5 ? Math.floor(next() * (length + 1)) : -1
    return Array.from({ length }, (_, index) => make(index === primaryAt))
  }
  return { email, address, list }
}

const add = (path: string, value: unknown) => ({ Operations: [{ op: 'add', path, value }] })

describe('indexed PATCH add agrees with the scan it replaced', () => {
  it.each(Array.from({ length: 300 }, (_, seed) => seed))('emails, seed %i', (seed) => {
    const { email, list } = generator(seed)
    const stored = list(email, 8)
    const incoming = list(email, 8)
    const before: UserResource = { userName: 'u', active: true, ...(stored.length ? { emails: stored } : {}) }
    const { resource } = applyPatch(before, add('emails', incoming), schema, new CompatLog())
    expect(resource.emails ?? []).toEqual(referenceAdd(stored, incoming))
  })

  it.each(Array.from({ length: 300 }, (_, seed) => seed))('addresses, seed %i', (seed) => {
    const { address, list } = generator(seed + 10_000)
    const stored = list(address, 8)
    const incoming = list(address, 8)
    const before: UserResource = { userName: 'u', active: true, ...(stored.length ? { addresses: stored } : {}) }
    const { resource } = applyPatch(before, add('addresses', incoming), schema, new CompatLog())
    expect(resource.addresses ?? []).toEqual(referenceAdd(stored, incoming))
  })

  it.each(Array.from({ length: 200 }, (_, seed) => seed))('remove with listed values, seed %i', (seed) => {
    const { email, list } = generator(seed + 20_000)
    const stored = list(email, 10)
    const listed = list(email, 5).map(({ value, type }) => ({ value, ...(type === undefined ? {} : { type }) }))
    const before: UserResource = { userName: 'u', active: true, ...(stored.length ? { emails: stored } : {}) }
    const body = { Operations: [{ op: 'remove', path: 'emails', value: listed }] }
    const { resource } = applyPatch(before, body, schema, new CompatLog())
    expect(resource.emails ?? []).toEqual(listed.length ? referenceRemove(stored, listed) : [])
  })
})
