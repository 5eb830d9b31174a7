import { resolveAttributePath, schemaForUrn, type UserSchema } from './schema/tenant-schema'
import { CORE_USER_URN } from './schema/user'

/**
 * RFC 7644 §3.4.2.5 / §3.9: `attributes` and `excludedAttributes`. Attributes with returned "always"
 * (id, schemas, meta's resourceType) survive both; `userName` is always returned too, so an IdP can match.
 * The common attributes (`id`, `externalId`, `meta`, `meta.*`, `schemas`) are understood, and names that
 * match no attribute are ignored rather than refused: §3.9 asks for no error, and clients send such lists.
 */
export type Projection = { attributes?: string[]; excludedAttributes?: string[] }

const ALWAYS = new Set(['schemas', 'id'])

export function parseAttributeList(value: string | null): string[] | undefined {
  if (value === null) return undefined
  const list = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  return list.length > 0 ? list : undefined
}

type Target = { container: string | null; name: string; sub?: string }

/** RFC 7643 §3.1 `meta` sub-attributes. `id` and `schemas` are always returned; `externalId` is in the schema. */
const META_ATTRIBUTES = ['resourceType', 'created', 'lastModified', 'location', 'version']

/** Where a listed attribute is in the representation; undefined for a name that matches nothing. */
function toTarget(schema: UserSchema, path: string): Target | undefined {
  const lower = path.toLowerCase()
  if (lower === 'id' || lower === 'schemas') return { container: null, name: lower }
  if (lower === 'meta') return { container: null, name: 'meta' }
  if (lower.startsWith('meta.')) {
    const sub = META_ATTRIBUTES.find((name) => name.toLowerCase() === lower.slice(5))
    return sub ? { container: null, name: 'meta', sub } : undefined
  }
  const wholeExtension = schemaForUrn(schema, path)
  if (wholeExtension && wholeExtension.schema.id !== CORE_USER_URN) {
    return { container: null, name: wholeExtension.schema.id }
  }
  const resolved = resolveAttributePath(schema, path)
  if (!resolved) return undefined
  const container = resolved.schemaUrn === CORE_USER_URN ? null : resolved.schemaUrn
  return {
    container,
    name: resolved.attribute.name,
    ...(resolved.subAttribute ? { sub: resolved.subAttribute.name } : {}),
  }
}

function readTarget(resource: Record<string, unknown>, target: Target): Record<string, unknown> | undefined {
  return target.container === null ? resource : (resource[target.container] as Record<string, unknown> | undefined)
}

function pickSub(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => (item && typeof item === 'object' ? { [sub]: (item as Record<string, unknown>)[sub] } : item))
  }
  if (value && typeof value === 'object') return { [sub]: (value as Record<string, unknown>)[sub] }
  return undefined
}

type Targets = { schema: UserSchema; attributes: Target[] | undefined; excluded: Target[] | undefined }

/** Resolved once per projection: a list response projects every user of a page with the same one. */
const resolvedTargets = new WeakMap<Projection, Targets>()

function targetsOf(projection: Projection, schema: UserSchema): Targets {
  const cached = resolvedTargets.get(projection)
  if (cached?.schema === schema) return cached
  const resolve = (paths: string[] | undefined) =>
    paths && [...new Set(paths.map((path) => path.toLowerCase()))].flatMap((path) => toTarget(schema, path) ?? [])
  const targets = { schema, attributes: resolve(projection.attributes), excluded: resolve(projection.excludedAttributes) }
  resolvedTargets.set(projection, targets)
  return targets
}

export function projectResource(
  resource: Record<string, unknown>,
  projection: Projection,
  schema: UserSchema,
): Record<string, unknown> {
  const { attributes, excluded } = targetsOf(projection, schema)
  if (attributes) {
    const targets = attributes
    const result: Record<string, unknown> = {}
    for (const key of ALWAYS) if (key in resource) result[key] = resource[key]
    if ('userName' in resource) result.userName = resource.userName
    for (const target of targets) {
      const holder = readTarget(resource, target)
      if (!holder || !(target.name in holder)) continue
      const value = target.sub ? pickSub(holder[target.name], target.sub) : holder[target.name]
      if (target.container === null) {
        result[target.name] = target.sub ? mergeValue(result[target.name], value) : value
      } else {
        const existing = (result[target.container] as Record<string, unknown> | undefined) ?? {}
        existing[target.name] = target.sub ? mergeValue(existing[target.name], value) : value
        result[target.container] = existing
      }
    }
    return result
  }
  if (excluded) {
    const result = structuredClone(resource)
    for (const target of excluded) {
      if (target.container === null && ALWAYS.has(target.name)) continue
      const holder = readTarget(result, target)
      if (!holder) continue
      if (target.sub) {
        const value = holder[target.name]
        const items = Array.isArray(value) ? value : [value]
        for (const item of items) if (item && typeof item === 'object') delete (item as Record<string, unknown>)[target.sub]
      } else {
        delete holder[target.name]
      }
    }
    return result
  }
  return resource
}

function mergeValue(existing: unknown, addition: unknown): unknown {
  if (Array.isArray(existing) && Array.isArray(addition)) {
    return existing.map((item, index) => ({ ...(item as object), ...(addition[index] as object) }))
  }
  if (existing && typeof existing === 'object' && addition && typeof addition === 'object') {
    return { ...existing, ...addition }
  }
  return addition
}
