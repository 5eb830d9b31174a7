import { canonicalJson, isPlainObject } from './json'
import type { UserResource } from './schema/read-value'

/** One changed attribute: its readable path and the values before and after (`null` when absent). */
export type AttributeChange = { attribute: string; old: unknown; new: unknown }

/**
 * The attributes that differ between two canonical Users, at leaf level: `displayName`, `name.givenName`,
 * `emails` (multi-valued attributes compare as a whole), `urn:…:enterprise:2.0:User:employeeNumber`,
 * `<extensionUrn>:JobCode`. Core paths come first, then extension paths, each alphabetically.
 */
export function diffResources(before: UserResource, after: UserResource): AttributeChange[] {
  const old = flattenResource(before)
  const next = flattenResource(after)
  const paths = [...new Set([...old.keys(), ...next.keys()])].sort(comparePaths)
  const changes: AttributeChange[] = []
  for (const path of paths) {
    const oldValue = old.get(path) ?? null
    const newValue = next.get(path) ?? null
    if (canonicalJson(oldValue) !== canonicalJson(newValue)) changes.push({ attribute: path, old: oldValue, new: newValue })
  }
  return changes
}

function flattenResource(resource: UserResource): Map<string, unknown> {
  const leaves = new Map<string, unknown>()
  for (const [key, value] of Object.entries(resource)) {
    // Extension objects are keyed by URN; their attributes read as `urn:…:User:attr` (RFC 7644 §3.10).
    if (/^urn:/i.test(key) && isPlainObject(value)) {
      for (const [name, item] of Object.entries(value)) addLeaves(leaves, `${key}:${name}`, item)
    } else {
      addLeaves(leaves, key, value)
    }
  }
  return leaves
}

function addLeaves(leaves: Map<string, unknown>, path: string, value: unknown): void {
  if (!isPlainObject(value)) {
    if (value !== null && value !== undefined) leaves.set(path, value)
    return
  }
  for (const [name, item] of Object.entries(value)) addLeaves(leaves, `${path}.${name}`, item)
}

function comparePaths(a: string, b: string): number {
  const aUrn = a.startsWith('urn:')
  const bUrn = b.startsWith('urn:')
  if (aUrn !== bUrn) return aUrn ? 1 : -1
  return a < b ? -1 : a > b ? 1 : 0
}
