import { compatRules, type CompatLog } from './compat'
import { invalidSyntax, invalidValue } from './errors'
import { isPlainObject, isUnsafeKey, ownValue, type JsonObject } from './json'
import { assertResourceWithinLimits, assertValueCount } from './limits'
import { findAttribute, type SchemaDefinition } from './schema/attributes'
import {
  assertUserName,
  attributeHolder,
  compactResource,
  isClientWritable,
  isIgnoredKey,
  isManager,
  readAttributeValue,
  readSimple,
  type ReadContext,
  type UserResource,
} from './schema/read-value'
import { CORE_USER_URN } from './schema/user'
import { resolveAttributePath, schemaForUrn, type ResolvedAttribute, type UserSchema } from './schema/tenant-schema'

/** The result of reading a request: the canonical resource and the attribute names that were ignored. */
export type UserInput = { resource: UserResource; discarded: string[] }

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
function writeAttribute(
  resource: UserResource,
  target: ResolvedAttribute,
  value: unknown,
  ctx: ReadContext,
  label: string,
): void {
  const { attribute, subAttribute } = target
  if (!isClientWritable(attribute) || (subAttribute && !isClientWritable(subAttribute))) return
  const holder = attributeHolder(resource, target.schemaUrn, true) as JsonObject
  if (subAttribute) {
    if (attribute.multiValued) {
      throw invalidValue(
        `'${label}' names a sub-attribute of the multi-valued '${attribute.name}'; send '${attribute.name}' as an array.`,
      )
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
