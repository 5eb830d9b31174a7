import { compatRules, type CompatLog } from './compat'
import { invalidSyntax, invalidValue } from './errors'
import { assertResourceWithinLimits, assertValueCount, scimLimits, tooManyValues } from './limits'
import { findAttribute, type AttributeDefinition, type SchemaDefinition } from './schema/attributes'
import { coerceSimpleValue } from './schema/coerce'
import { CORE_USER_URN, ENTERPRISE_USER_URN, enterpriseUserSchema } from './schema/user'
import { resolveAttributePath, schemaForUrn, type ResolvedAttribute, type UserSchema } from './schema/user-schema'

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

/** The result of reading a request: the canonical resource and the attribute names that were ignored. */
export type UserInput = { resource: UserResource; discarded: string[] }

/** Shared state while reading one request: the compat rules applied and the attributes discarded. */
export type ReadContext = { compat: CompatLog; discarded: string[] }

type JsonObject = Record<string, unknown>

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
/** Attributes a client may send but never sets (RFC 7643 §3.1 `id`/`meta`; `schemas` is ours to write). */
const IGNORED_KEYS = new Set(['id', 'meta', 'schemas'])
/** Sub-attributes that say nothing on their own: an element left with only these is dropped. */
const QUALIFIER_KEYS = new Set(['type', 'primary', 'display'])

export const MANAGER_ATTRIBUTE = findAttribute(enterpriseUserSchema.attributes, 'manager') as AttributeDefinition

/** Keys that would reach Object.prototype if written; never written, whatever the case. */
export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key.toLowerCase())
}

/** `id`, `meta`, `schemas`: accepted in a body and ignored. */
export function isIgnoredKey(key: string): boolean {
  const lower = key.toLowerCase()
  return IGNORED_KEYS.has(lower) || lower.startsWith('meta.')
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An own property only: `resource.constructor` must not read Object's. */
export function ownValue(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

export function isManager(definition: AttributeDefinition): boolean {
  return definition === MANAGER_ATTRIBUTE
}

/** Null, undefined, "", {} and [] all mean "no value" (RFC 7643 §2.5). */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true
  if (Array.isArray(value)) return value.length === 0
  if (isPlainObject(value)) return Object.keys(value).length === 0
  return false
}

/** A deep copy of JSON data that drops unsafe keys, so later writes can never reach a prototype. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as T
  if (!isPlainObject(value)) return value
  const copy: JsonObject = {}
  for (const [key, item] of Object.entries(value)) {
    if (!isUnsafeKey(key)) copy[key] = cloneJson(item)
  }
  return copy as T
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

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
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

/**
 * Reads a POST or PUT body (RFC 7644 §3.3, §3.5.1) into a canonical User, accepting Entra ID's shapes:
 * extensions missing from `schemas`, any custom extension URN, URN-qualified and dotted keys, plain custom
 * attribute names, string booleans, single values where arrays are due. Unknown attributes are not stored
 * and are returned in `discarded` as sent, since Entra retries (and quarantines) on errors for them.
 */
export function readUserInput(body: unknown, schema: UserSchema, compat: CompatLog): UserInput {
  // RFC 7643 §4.1.1 leaves a missing `active` to the provider: a provisioned user is active.
  return readUser(body, schema, compat, true)
}

/**
 * Reads a PUT body (RFC 7644 §3.5.1) that replaces `current`, as readUserInput does, except that a body
 * without `active` (or with `active: null`) keeps the current state: §3.5.1 lets the provider keep or
 * default an omitted attribute, and reactivating a deactivated account because a client left the flag out
 * would grant access nobody asked for.
 */
export function readUserReplacement(body: unknown, current: UserResource, schema: UserSchema, compat: CompatLog): UserInput {
  return readUser(body, schema, compat, ownValue(current, 'active') !== false)
}

function readUser(body: unknown, schema: UserSchema, compat: CompatLog, activeWhenAbsent: boolean): UserInput {
  if (!isPlainObject(body)) throw invalidSyntax('The request body must be a JSON object (RFC 7644 §3.3).')
  const ctx: ReadContext = { compat, discarded: [] }
  const listed = listedSchemas(body)
  const resource: UserResource = {}
  for (const [key, value] of Object.entries(body)) {
    if (isIgnoredKey(key)) continue
    const extension = isUnsafeKey(key) ? undefined : schemaForUrn(schema, key)
    if (extension) readSchemaObject(resource, extension, key, value, listed, ctx)
    else readTopLevelKey(resource, schema, key, value, ctx)
  }
  if (ownValue(resource, 'active') === undefined || resource.active === null) resource.active = activeWhenAbsent
  const out = compactResource(resource)
  assertUserName(out)
  assertResourceWithinLimits(out)
  return { resource: out, discarded: ctx.discarded }
}

function listedSchemas(body: JsonObject): Set<string> {
  const schemas = ownValue(body, 'schemas')
  if (!Array.isArray(schemas)) return new Set()
  return new Set(schemas.filter((item): item is string => typeof item === 'string').map((urn) => urn.toLowerCase()))
}

/** `"urn:…:enterprise:2.0:User": {…}`: an extension object (Entra leaves custom ones out of `schemas`). */
function readSchemaObject(
  resource: UserResource,
  extension: { schema: SchemaDefinition; foreign: boolean },
  key: string,
  value: unknown,
  listed: Set<string>,
  ctx: ReadContext,
): void {
  if (value === null || value === undefined) return
  if (!isPlainObject(value)) throw invalidValue(`'${key}' must be an object of ${extension.schema.name} attributes.`)
  if (extension.foreign) ctx.compat.add(compatRules.foreignExtensionUrn)
  if (extension.schema.id !== CORE_USER_URN && !listed.has(key.toLowerCase())) {
    ctx.compat.add(compatRules.extensionNotInSchemas)
  }
  for (const [name, item] of Object.entries(value)) {
    const definition = isUnsafeKey(name) ? undefined : findAttribute(extension.schema.attributes, name)
    if (!definition) {
      ctx.discarded.push(`${key}:${name}`)
      continue
    }
    if (definition.name !== name) ctx.compat.add(compatRules.attributeNameCase)
    writeAttribute(resource, { schemaUrn: extension.schema.id, attribute: definition }, item, ctx, `${key}:${name}`)
  }
}

/** A top-level key: a core attribute, `urn:…:attr`, `name.givenName`, or a plain custom attribute name. */
function readTopLevelKey(resource: UserResource, schema: UserSchema, key: string, value: unknown, ctx: ReadContext): void {
  const resolved = isUnsafeKey(key) ? undefined : resolveAttributePath(schema, key, ctx.compat)
  if (!resolved) {
    ctx.discarded.push(key)
    return
  }
  if (/^urn:/i.test(key)) ctx.compat.add(compatRules.urnKeyInPathlessValue)
  else if (resolved.subAttribute) ctx.compat.add(compatRules.dottedKeyInPathlessValue)
  writeAttribute(resource, resolved, value, ctx, key)
}

/** Writes one attribute (or sub-attribute) of a POST body; repeated keys merge, as Entra may send both. */
function writeAttribute(resource: UserResource, target: ResolvedAttribute, value: unknown, ctx: ReadContext, label: string): void {
  const { attribute, subAttribute } = target
  if (!isClientWritable(attribute) || (subAttribute && !isClientWritable(subAttribute))) return
  const holder = attributeHolder(resource, target.schemaUrn, true) as JsonObject
  if (subAttribute) {
    if (attribute.multiValued) {
      throw invalidValue(`'${label}' names a sub-attribute of the multi-valued '${attribute.name}'; send '${attribute.name}' as an array.`)
    }
    const current = ownValue(holder, attribute.name)
    const object = isPlainObject(current) ? current : {}
    object[subAttribute.name] = readSimple(subAttribute, value, ctx, label)
    holder[attribute.name] = object
    return
  }
  const read = readAttributeValue(attribute, value, ctx, label)
  const current = ownValue(holder, attribute.name)
  if (attribute.multiValued && Array.isArray(current) && Array.isArray(read)) {
    // Checked at each merge, so many keys naming one attribute cannot grow the list without bound.
    const merged = [...current, ...read]
    assertValueCount(merged, label)
    holder[attribute.name] = merged
  } else if (attribute.type === 'complex' && !isManager(attribute) && isPlainObject(current) && isPlainObject(read)) {
    holder[attribute.name] = { ...current, ...read }
  } else {
    holder[attribute.name] = read
  }
}
