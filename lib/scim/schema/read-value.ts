import { compatRules, type CompatLog } from '../compat'
import { invalidValue } from '../errors'
import { isEmptyValue, isPlainObject, isUnsafeKey, ownValue, type JsonObject } from '../json'
import { scimLimits, tooManyValues } from '../limits'
import { findAttribute, type AttributeDefinition } from './attributes'
import { coerceSimpleValue } from './coerce'
import { CORE_USER_URN, ENTERPRISE_USER_URN, enterpriseUserSchema } from './user'

/** Attribute value readers: a request's values into the canonical form of a resource (RFC 7643 §2). */

/**
 * A SCIM User in canonical form: what is stored and what PATCH applies to.
 *
 * - core attributes at the top level under their canonical names (`userName`, `name`, `emails`, `active`…);
 * - the enterprise extension as an object under `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`
 *   (its `manager` as `{value, $ref?, displayName?}`);
 * - custom attributes under the IdP's `schema.extensionUrn`, keyed by their registered name, coerced to their type.
 *
 * Never holds `id`, `meta`, `schemas` or `password`. Null values, empty strings, empty objects and empty arrays
 * are removed: absent means "no value" (RFC 7643 §2.5).
 */
export type UserResource = Record<string, unknown>

/** Shared state while reading one request: the compat rules applied and the attributes discarded. */
export type ReadContext = { compat: CompatLog; discarded: string[] }

/** Attributes a client may send but never sets (RFC 7643 §3.1 `id`/`meta`; `schemas` is ours to write). */
const IGNORED_KEYS = new Set(['id', 'meta', 'schemas'])
/** Sub-attributes that say nothing on their own: an element left with only these is dropped. */
const QUALIFIER_KEYS = new Set(['type', 'primary', 'display'])

export const MANAGER_ATTRIBUTE = findAttribute(enterpriseUserSchema.attributes, 'manager') as AttributeDefinition

/** `id`, `meta`, `schemas`: accepted in a body and ignored. */
export function isIgnoredKey(key: string): boolean {
  const lower = key.toLowerCase()
  return IGNORED_KEYS.has(lower) || lower.startsWith('meta.')
}

export function isManager(definition: AttributeDefinition): boolean {
  return definition === MANAGER_ATTRIBUTE
}

/**
 * Removes empty values recursively, and multi-valued elements that hold only qualifiers (`type`, `primary`,
 * `display`): RFC 7644 §3.5.2.2, "if the complex multi-valued attribute has no remaining records, the
 * attribute SHALL be considered unassigned".
 */
export function compactValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(compactValue).filter((item) => !isEmptyValue(item) && !isBareQualifier(item))
    return items
  }
  if (!isPlainObject(value)) return value
  const out: JsonObject = {}
  for (const [key, item] of Object.entries(value)) {
    if (isUnsafeKey(key)) continue
    const compacted = compactValue(item)
    if (!isEmptyValue(compacted)) out[key] = compacted
  }
  return out
}

function isBareQualifier(item: unknown): boolean {
  return isPlainObject(item) && Object.keys(item).every((key) => QUALIFIER_KEYS.has(key))
}

export function compactResource(resource: UserResource): UserResource {
  const out = compactValue(resource) as UserResource
  // A manager without an id is no manager (the validator clears it with {"value": ""}).
  const enterprise = ownValue(out, ENTERPRISE_USER_URN)
  if (isPlainObject(enterprise) && isPlainObject(enterprise.manager) && isEmptyValue(enterprise.manager.value)) {
    delete enterprise.manager
    if (Object.keys(enterprise).length === 0) delete out[ENTERPRISE_USER_URN]
  }
  return out
}

/** The object that holds a schema's attributes: the resource itself for core, else the extension object. */
export function attributeHolder(resource: UserResource, schemaUrn: string, create: boolean): JsonObject | undefined {
  if (schemaUrn === CORE_USER_URN) return resource
  const current = ownValue(resource, schemaUrn)
  if (isPlainObject(current)) return current
  if (!create) return undefined
  const created: JsonObject = {}
  resource[schemaUrn] = created
  return created
}

/** The definition of `name` among a complex attribute's sub-attributes, reporting a case difference. */
export function findSubAttribute(
  definition: AttributeDefinition,
  name: string,
  compat: CompatLog,
): AttributeDefinition | undefined {
  const found = definition.subAttributes ? findAttribute(definition.subAttributes, name) : undefined
  if (found && found.name !== name) compat.add(compatRules.attributeNameCase)
  return found
}

/** Whether a client may write this attribute: readOnly ones are ignored (RFC 7644 §3.3), writeOnly `password` is never stored. */
export function isClientWritable(definition: AttributeDefinition): boolean {
  return definition.mutability === 'readWrite' || definition.mutability === 'immutable'
}

/**
 * Reads one attribute's value from a request into canonical form: coerced simple values, complex objects
 * with known sub-attributes, multi-valued arrays. Returns null for "no value". Unknown sub-attributes are
 * added to `ctx.discarded`; wrong shapes throw 400 invalidValue naming `label`.
 */
export function readAttributeValue(
  definition: AttributeDefinition,
  value: unknown,
  ctx: ReadContext,
  label = definition.name,
): unknown {
  if (value === null || value === undefined) return null
  if (definition.multiValued) return readMultiValued(definition, value, ctx, label)
  if (isManager(definition)) return readManager(definition, value, ctx, label)
  if (definition.type === 'complex') return readComplex(definition, value, ctx, label)
  return readSimple(definition, value, ctx, label)
}

export function readSimple(definition: AttributeDefinition, value: unknown, ctx: ReadContext, label: string): unknown {
  if (Array.isArray(value)) throw invalidValue(`Attribute '${label}' is single-valued and cannot take an array.`)
  return coerceSimpleValue(definition, value, ctx.compat, label)
}

/** A complex value: an object whose known, client-writable sub-attributes are kept (RFC 7643 §2.3.8). */
export function readComplex(definition: AttributeDefinition, value: unknown, ctx: ReadContext, label: string): JsonObject {
  if (!isPlainObject(value)) throw invalidValue(`Attribute '${label}' is complex and needs an object value.`)
  const out: JsonObject = {}
  for (const [key, item] of Object.entries(value)) {
    const sub = isUnsafeKey(key) ? undefined : findSubAttribute(definition, key, ctx.compat)
    if (!sub) {
      ctx.discarded.push(`${label}.${key}`)
      continue
    }
    if (isClientWritable(sub)) out[sub.name] = readSimple(sub, item, ctx, `${label}.${sub.name}`)
  }
  return out
}

/** One element of a multi-valued attribute; a bare string stands for `{value}`. */
export function readElement(definition: AttributeDefinition, value: unknown, ctx: ReadContext, label: string): unknown {
  if (definition.type !== 'complex') return readSimple(definition, value, ctx, label)
  if (typeof value === 'string' && findAttribute(definition.subAttributes ?? [], 'value')) {
    ctx.compat.add(compatRules.singleValueInArray)
    return { value }
  }
  if (!isPlainObject(value)) throw invalidValue(`Each value of '${label}' must be an object.`)
  return readComplex(definition, value, ctx, label)
}

function readMultiValued(definition: AttributeDefinition, value: unknown, ctx: ReadContext, label: string): unknown[] {
  let items: unknown[]
  if (Array.isArray(value)) {
    items = value
  } else if (isPlainObject(value) || typeof value === 'string') {
    // One value where an array is due: read as a one-element array.
    ctx.compat.add(compatRules.singleValueInArray)
    items = [value]
  } else {
    throw invalidValue(`Attribute '${label}' is multi-valued and needs an array of values.`)
  }
  if (items.length > scimLimits.maxAttributeValues) throw tooManyValues(label, items.length)
  const read = items.map((item) => readElement(definition, item, ctx, label))
  const kept = compactValue(read) as unknown[]
  assertSinglePrimary(kept, label)
  return kept
}

/**
 * The enterprise manager (RFC 7643 §4.3): `{value, $ref}`, or Entra's bare id string, or its legacy
 * one-element array. `{value: ""}` or an empty string means no manager.
 */
function readManager(definition: AttributeDefinition, value: unknown, ctx: ReadContext, label: string): unknown {
  let single = value
  if (Array.isArray(single)) {
    if (single.length === 0) return null
    if (single.length > 1) throw invalidValue(`Attribute '${label}' takes a single manager.`)
    ctx.compat.add(compatRules.singleValueInArray)
    single = single[0]
  }
  if (typeof single === 'string') {
    ctx.compat.add(compatRules.managerBareString)
    single = { value: single }
  }
  const read = readComplex(definition, single, ctx, label)
  if (isEmptyValue(read.value)) {
    if (read.value === '') ctx.compat.add(compatRules.emptyValueClears)
    return null
  }
  return read
}

/** RFC 7643 §2.4: the primary attribute value "true" MUST appear no more than once. */
export function assertSinglePrimary(items: readonly unknown[], label: string): void {
  const primaries = items.filter((item) => isPlainObject(item) && item.primary === true).length
  if (primaries > 1) throw invalidValue(`At most one value of '${label}' may be primary (RFC 7643 §2.4).`)
}

/** RFC 7643 §4.1: userName is required and non-empty. */
export function assertUserName(resource: UserResource): void {
  const userName = ownValue(resource, 'userName')
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw invalidValue("Attribute 'userName' is required and must be a non-empty string (RFC 7643 §4.1).")
  }
}
