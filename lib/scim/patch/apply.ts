import { compatRules, type CompatLog } from '../compat'
import { ScimError, invalidPath, invalidValue, mutability, noTarget } from '../errors'
import type { CompValue, FilterNode } from '../filter/ast'
import { matchesElement } from '../filter/evaluate'
import type { AttributeDefinition, SchemaDefinition } from '../schema/attributes'
import { findAttribute } from '../schema/attributes'
import { coerceSimpleValue } from '../schema/coerce'
import { CORE_USER_URN } from '../schema/user'
import { resolveAttributePath, schemaForUrn, type UserSchema } from '../schema/user-schema'
import {
  assertSinglePrimary,
  assertUserName,
  attributeHolder,
  canonicalJson,
  cloneJson,
  compactResource,
  findSubAttribute,
  isClientWritable,
  isEmptyValue,
  isIgnoredKey,
  isManager,
  isPlainObject,
  isUnsafeKey,
  ownValue,
  readAttributeValue,
  readElement,
  readSimple,
  type ReadContext,
  type UserInput,
  type UserResource,
} from '../user-input'
import { normalizePatchBody, type PatchOperation } from './normalize'
import { parsePatchPath, type PatchPath } from './parse-path'

type JsonObject = Record<string, unknown>
type WriteMode = 'add' | 'replace'

/** Where an operation lands: one attribute, maybe one sub-attribute, maybe only the elements a filter selects. */
type Target = {
  schemaUrn: string
  attribute: AttributeDefinition
  subAttribute?: AttributeDefinition
  filter?: FilterNode
  label: string
}

type Resolution =
  | { kind: 'attribute'; target: Target }
  | { kind: 'schema'; schema: SchemaDefinition }
  | { kind: 'ignored' }
  | { kind: 'discarded' }

/** RFC 7643 §4.1: a User without these is not a User; removing them is refused. */
const REQUIRED = new Set(['userName', 'active'])

/**
 * Applies a PatchOp body (RFC 7644 §3.5.2) to a canonical User and returns the new resource; the input is
 * never changed. Operations apply in order to one copy, so any error leaves nothing applied (§3.5.2:
 * "the operations … SHALL be applied … atomically"). Paths to attributes this IdP has not registered are
 * skipped and listed in `discarded` rather than failing the request: Entra would retry and quarantine.
 */
export function applyPatch(resource: UserResource, body: unknown, schema: UserSchema, compat: CompatLog): UserInput {
  const operations = normalizePatchBody(body, compat)
  const ctx: ReadContext = { compat, discarded: [] }
  const working = cloneJson(resource)
  operations.forEach((operation, index) => {
    try {
      applyOperation(working, operation, schema, ctx)
    } catch (error) {
      if (error instanceof ScimError) throw new ScimError(error.status, `Operation ${index + 1}: ${error.detail}`, error.scimType)
      throw error
    }
  })
  const out = compactResource(working)
  assertUserName(out)
  return { resource: out, discarded: ctx.discarded }
}

function applyOperation(resource: UserResource, operation: PatchOperation, schema: UserSchema, ctx: ReadContext): void {
  if (operation.path === undefined) {
    applyPathless(resource, operation.op as WriteMode, operation.value, schema, ctx)
    return
  }
  const resolution = resolveTarget(parsePatchPath(operation.path), operation.path, schema, ctx)
  applyResolution(resource, operation, resolution, ctx)
}

function applyResolution(resource: UserResource, operation: PatchOperation, resolution: Resolution, ctx: ReadContext): void {
  if (resolution.kind === 'attribute') {
    if (operation.op === 'remove') removeTarget(resource, resolution.target, operation.value, ctx)
    else writeTarget(resource, operation.op, resolution.target, operation.value, ctx)
  } else if (resolution.kind === 'schema') {
    applyToSchema(resource, operation, resolution.schema, ctx)
  }
}

/**
 * RFC 7644 §3.5.2.1/§3.5.2.3 without a path: the value is a map of attributes to add or replace. Entra's
 * `aadOptscim062020` mode puts every single-valued change here, keyed `name.givenName` or `urn:…:User:attr`.
 */
function applyPathless(resource: UserResource, mode: WriteMode, value: unknown, schema: UserSchema, ctx: ReadContext): void {
  if (!isPlainObject(value)) throw invalidValue(`A path-less '${mode}' needs an object of attributes as its value (RFC 7644 §3.5.2.1).`)
  for (const [key, item] of Object.entries(value)) {
    const resolution = resolveKey(key, schema, ctx)
    if (resolution.kind === 'attribute') {
      if (/^urn:/i.test(key)) ctx.compat.add(compatRules.urnKeyInPathlessValue)
      else if (/^[^[]*\./.test(key)) ctx.compat.add(compatRules.dottedKeyInPathlessValue)
    }
    applyResolution(resource, { op: mode, path: key, value: item }, resolution, ctx)
  }
}

/** A key of a path-less value map: read as a path, but a key that is no path is just an unknown attribute. */
function resolveKey(key: string, schema: UserSchema, ctx: ReadContext): Resolution {
  let path: PatchPath
  try {
    path = parsePatchPath(key)
  } catch {
    ctx.discarded.push(key)
    return { kind: 'discarded' }
  }
  return resolveTarget(path, key, schema, ctx)
}

function resolveTarget(path: PatchPath, label: string, schema: UserSchema, ctx: ReadContext): Resolution {
  const name = path.attribute
  if (isIgnoredKey(name) || name.toLowerCase() === 'password') return { kind: 'ignored' }
  if (hasUnsafeSegment(name) || (path.subAttribute && isUnsafeKey(path.subAttribute))) return discard(label, ctx)
  if (!path.filter && !path.subAttribute) {
    const found = schemaForUrn(schema, name)
    if (found) {
      if (found.foreign) ctx.compat.add(compatRules.foreignExtensionUrn)
      return { kind: 'schema', schema: found.schema }
    }
  }
  const resolved = resolveAttributePath(schema, name, ctx.compat)
  if (!resolved) return discard(label, ctx)
  const { attribute } = resolved
  if (path.filter && (resolved.subAttribute || !attribute.multiValued)) {
    throw invalidPath(`'${label}': a value filter applies only to a multi-valued attribute (RFC 7644 §3.5.2).`)
  }
  let subAttribute = resolved.subAttribute
  if (path.subAttribute) {
    subAttribute = findSubAttribute(attribute, path.subAttribute, ctx.compat)
    if (!subAttribute) return discard(label, ctx)
  }
  // RFC 7644 §3.5.2: readOnly values are the provider's; a client's attempt is ignored, as in POST (§3.3).
  if (!isClientWritable(attribute) || (subAttribute && !isClientWritable(subAttribute))) return { kind: 'ignored' }
  const filter = path.filter ? bindFilter(path.filter, attribute, label, ctx.compat) : undefined
  return {
    kind: 'attribute',
    target: { schemaUrn: resolved.schemaUrn, attribute, label, ...(subAttribute ? { subAttribute } : {}), ...(filter ? { filter } : {}) },
  }
}

function discard(label: string, ctx: ReadContext): Resolution {
  ctx.discarded.push(label)
  return { kind: 'discarded' }
}

function hasUnsafeSegment(path: string): boolean {
  return path.split(/[.:]/).some(isUnsafeKey)
}

/** A bare schema URN as the path: the value is that schema's attributes (or, for remove, all of them go). */
function applyToSchema(resource: UserResource, operation: PatchOperation, schema: SchemaDefinition, ctx: ReadContext): void {
  const urn = schema.id
  if (operation.op === 'remove') {
    if (urn === CORE_USER_URN) throw mutability('The core User schema cannot be removed.')
    delete resource[urn]
    return
  }
  const { value } = operation
  if (isEmptyValue(value) && urn !== CORE_USER_URN) {
    if (operation.op === 'replace') delete resource[urn]
    return
  }
  if (!isPlainObject(value)) throw invalidValue(`'${operation.path}' needs an object of ${schema.name} attributes.`)
  for (const [key, item] of Object.entries(value)) {
    const attribute = isUnsafeKey(key) || isIgnoredKey(key) ? undefined : findAttribute(schema.attributes, key)
    if (!attribute) {
      if (!isIgnoredKey(key)) ctx.discarded.push(`${urn}:${key}`)
      continue
    }
    if (attribute.name !== key) ctx.compat.add(compatRules.attributeNameCase)
    if (!isClientWritable(attribute)) continue
    writeTarget(resource, operation.op, { schemaUrn: urn, attribute, label: `${urn}:${attribute.name}` }, item, ctx)
  }
}

// ---- add / replace (RFC 7644 §3.5.2.1, §3.5.2.3) ----

function writeTarget(resource: UserResource, mode: WriteMode, target: Target, value: unknown, ctx: ReadContext): void {
  const { attribute, subAttribute, filter } = target
  if (attribute.multiValued) {
    if (filter) writeFiltered(resource, target, filter, value, ctx)
    else if (subAttribute) writeSubOfAll(resource, target, subAttribute, value, ctx)
    else writeMultiValued(resource, mode, target, value, ctx)
  } else if (subAttribute) {
    writeSubAttribute(resource, target, subAttribute, value, ctx)
  } else {
    writeSingle(resource, target, value, ctx)
  }
}

/** `null`, or Entra's/the validator's `""`, clears the target (SCIM_Null_Update). */
function isClearing(value: unknown, ctx: ReadContext): boolean {
  if (value === '') ctx.compat.add(compatRules.emptyValueClears)
  return value === null || value === undefined || value === ''
}

function guardRequired(target: Target, clearing: boolean): void {
  if (clearing && target.schemaUrn === CORE_USER_URN && REQUIRED.has(target.attribute.name)) {
    throw invalidValue(`Attribute '${target.attribute.name}' is required and cannot be cleared.`)
  }
}

/**
 * A single-valued attribute: set. A complex one (`name`) takes the given sub-attributes and keeps the rest
 * (§3.5.2.3: "Sub-attributes that are not specified in the 'value' parameter are left unchanged"); the
 * manager is a reference and is replaced as a whole.
 */
function writeSingle(resource: UserResource, target: Target, value: unknown, ctx: ReadContext): void {
  const { attribute } = target
  const clearing = isClearing(value, ctx)
  guardRequired(target, clearing)
  const holder = attributeHolder(resource, target.schemaUrn, !clearing)
  if (!holder) return
  const read = clearing ? null : readAttributeValue(attribute, value, ctx, target.label)
  const current = ownValue(holder, attribute.name)
  if (attribute.type === 'complex' && !isManager(attribute) && isPlainObject(read)) {
    holder[attribute.name] = isPlainObject(current) ? { ...current, ...read } : read
  } else if (isEmptyValue(read)) {
    guardRequired(target, true)
    delete holder[attribute.name]
  } else {
    holder[attribute.name] = read
  }
}

/** `name.givenName`, `urn:…:manager.value`: one sub-attribute of a single-valued complex attribute. */
function writeSubAttribute(
  resource: UserResource,
  target: Target,
  subAttribute: AttributeDefinition,
  value: unknown,
  ctx: ReadContext,
): void {
  const clearing = isClearing(value, ctx)
  const holder = attributeHolder(resource, target.schemaUrn, !clearing)
  if (!holder) return
  const current = ownValue(holder, target.attribute.name)
  const object: JsonObject = isPlainObject(current) ? { ...current } : {}
  object[subAttribute.name] = clearing ? null : readSimple(subAttribute, value, ctx, target.label)
  holder[target.attribute.name] = object
}

/** A multi-valued attribute without a filter: add appends what is new, replace replaces every value. */
function writeMultiValued(resource: UserResource, mode: WriteMode, target: Target, value: unknown, ctx: ReadContext): void {
  const { attribute } = target
  const clearing = isClearing(value, ctx)
  if (clearing && mode === 'add') return
  const holder = attributeHolder(resource, target.schemaUrn, !clearing)
  if (!holder) return
  const incoming = clearing ? [] : (readAttributeValue(attribute, value, ctx, target.label) as unknown[])
  if (mode === 'replace') {
    holder[attribute.name] = incoming
    return
  }
  const list = elementsOf(holder, attribute)
  for (const item of incoming) {
    const same = list.findIndex((existing) => isSameElement(existing, item, attribute))
    // §3.5.2.1: "If the target location already contains the value specified, no changes SHOULD be made".
    if (same === -1) list.push(item)
    else if (isPlainObject(item)) list[same] = { ...mergeElement(list[same], item), ...keepIdentity(list[same]) }
    if (isPlainObject(item) && item.primary === true) clearOtherPrimaries(list, same === -1 ? list.length - 1 : same)
  }
  assertSinglePrimary(list, target.label)
  holder[attribute.name] = list
}

/**
 * `emails[type eq "work"].value` / `emails[type eq "work"]`: set the sub-attribute of, or merge the value
 * into, every matching element. With no match the RFC says 400 noTarget (§3.5.2.3), but Entra sends Add or
 * Replace on the filtered path to create the element, so one is built from the filter's `eq` terms.
 */
function writeFiltered(resource: UserResource, target: Target, filter: FilterNode, value: unknown, ctx: ReadContext): void {
  const { attribute, subAttribute } = target
  const clearing = isClearing(value, ctx)
  const holder = attributeHolder(resource, target.schemaUrn, !clearing)
  if (!holder) return
  const list = elementsOf(holder, attribute)
  let matches = matchingIndexes(list, filter, attribute)
  if (matches.length === 0) {
    if (clearing) return
    const seed = elementFromFilter(filter)
    if (!seed) throw noTarget(`No value of '${attribute.name}' matches '${target.label}' (RFC 7644 §3.5.2.3).`)
    ctx.compat.add(compatRules.filteredPathCreatedOnMiss)
    list.push(seed)
    matches = [list.length - 1]
  }
  const patch = subAttribute
    ? { [subAttribute.name]: clearing ? null : readSimple(subAttribute, value, ctx, target.label) }
    : clearing
      ? null
      : readFilteredValue(attribute, value, ctx, target.label)
  for (const index of matches) list[index] = patch === null ? null : mergeElement(list[index], patch)
  if (patch?.primary === true) clearOtherPrimaries(list, ...matches)
  assertSinglePrimary(list, target.label)
  holder[attribute.name] = list
}

/** The value for a filtered path without a sub-attribute: one element object (Entra may wrap it in an array). */
function readFilteredValue(attribute: AttributeDefinition, value: unknown, ctx: ReadContext, label: string): JsonObject {
  let single = value
  if (Array.isArray(single) && single.length === 1) {
    ctx.compat.add(compatRules.singleValueInArray)
    single = single[0]
  }
  const read = readElement(attribute, single, ctx, label)
  if (!isPlainObject(read)) throw invalidValue(`'${label}' needs an object value.`)
  return read
}

/** `emails.value` without a filter: the sub-attribute of every element (RFC 7644 §3.5.2 attrPath). */
function writeSubOfAll(
  resource: UserResource,
  target: Target,
  subAttribute: AttributeDefinition,
  value: unknown,
  ctx: ReadContext,
): void {
  const clearing = isClearing(value, ctx)
  const holder = attributeHolder(resource, target.schemaUrn, false)
  const list = holder ? elementsOf(holder, target.attribute) : []
  if (list.length === 0) {
    if (clearing) return
    throw noTarget(`'${target.attribute.name}' has no values to set '${subAttribute.name}' on; use a value filter.`)
  }
  const read = clearing ? null : readSimple(subAttribute, value, ctx, target.label)
  const updated = list.map((item) => mergeElement(item, { [subAttribute.name]: read }))
  if (read === true && subAttribute.name === 'primary') assertSinglePrimary(updated, target.label)
  ;(holder as JsonObject)[target.attribute.name] = updated
}

// ---- remove (RFC 7644 §3.5.2.2) ----

function removeTarget(resource: UserResource, target: Target, value: unknown, ctx: ReadContext): void {
  const { attribute, subAttribute, filter } = target
  if (!subAttribute && !filter && target.schemaUrn === CORE_USER_URN && REQUIRED.has(attribute.name)) {
    throw mutability(`Attribute '${attribute.name}' is required and cannot be removed (RFC 7643 §4.1).`)
  }
  const holder = attributeHolder(resource, target.schemaUrn, false)
  if (!holder) return
  if (!attribute.multiValued) {
    if (!subAttribute) delete holder[attribute.name]
    else removeSubAttribute(holder, attribute, subAttribute)
    return
  }
  const list = elementsOf(holder, attribute)
  if (filter) {
    const matches = new Set(matchingIndexes(list, filter, attribute))
    holder[attribute.name] = list.map((item, index) =>
      matches.has(index) ? (subAttribute ? mergeElement(item, { [subAttribute.name]: null }) : null) : item,
    )
  } else if (subAttribute) {
    holder[attribute.name] = list.map((item) => mergeElement(item, { [subAttribute.name]: null }))
  } else if (!isEmptyValue(value)) {
    holder[attribute.name] = removeListedValues(list, attribute, value, ctx, target.label)
  } else {
    delete holder[attribute.name]
  }
}

function removeSubAttribute(holder: JsonObject, attribute: AttributeDefinition, subAttribute: AttributeDefinition): void {
  const current = ownValue(holder, attribute.name)
  if (!isPlainObject(current)) return
  const rest = { ...current }
  delete rest[subAttribute.name]
  holder[attribute.name] = rest
}

/** Entra's legacy `{"op":"Remove","path":"members","value":[{"value":"<id>"}]}`: remove the listed values. */
function removeListedValues(
  list: unknown[],
  attribute: AttributeDefinition,
  value: unknown,
  ctx: ReadContext,
  label: string,
): unknown[] {
  ctx.compat.add(compatRules.removeWithValue)
  const listed = readAttributeValue(attribute, value, ctx, label) as unknown[]
  return list.filter((item) => !listed.some((entry) => isPlainObject(entry) && containsEntry(item, entry, attribute)))
}

// ---- elements and value filters ----

function elementsOf(holder: JsonObject, attribute: AttributeDefinition): unknown[] {
  const current = ownValue(holder, attribute.name)
  return Array.isArray(current) ? current.map((item) => cloneJson(item)) : []
}

function mergeElement(element: unknown, patch: JsonObject): JsonObject {
  return { ...(isPlainObject(element) ? element : {}), ...patch }
}

/** An element's `value` and `type` as stored: an equal value sent in another case does not rewrite them. */
function keepIdentity(element: unknown): JsonObject {
  if (!isPlainObject(element)) return {}
  const { value, type } = element
  return { ...(value === undefined ? {} : { value }), ...(type === undefined ? {} : { type }) }
}

function clearOtherPrimaries(list: unknown[], ...keep: number[]): void {
  list.forEach((item, index) => {
    if (!keep.includes(index) && isPlainObject(item) && item.primary === true) list[index] = { ...item, primary: false }
  })
}

/** Same element for add's de-duplication: same `value` (and same `type` if given), else equal as JSON. */
function isSameElement(existing: unknown, item: unknown, attribute: AttributeDefinition): boolean {
  if (!isPlainObject(existing) || !isPlainObject(item) || item.value === undefined) {
    return canonicalJson(existing) === canonicalJson(item)
  }
  const keys = item.type === undefined ? ['value'] : ['value', 'type']
  return keys.every((key) => equalsSub(attribute, key, existing[key], item[key]))
}

/** Whether an element has every sub-attribute value of `entry` (for remove-with-value). */
function containsEntry(element: unknown, entry: JsonObject, attribute: AttributeDefinition): boolean {
  if (!isPlainObject(element)) return false
  return Object.entries(entry).every(([key, expected]) => equalsSub(attribute, key, element[key], expected))
}

function equalsSub(attribute: AttributeDefinition, name: string, actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'string' && typeof expected === 'string' && !isCaseExact(attribute, name)) {
    return actual.toLowerCase() === expected.toLowerCase()
  }
  return actual === expected
}

function isCaseExact(attribute: AttributeDefinition, name: string): boolean {
  return attribute.subAttributes?.find((sub) => sub.name === name)?.caseExact ?? false
}

function matchingIndexes(list: unknown[], filter: FilterNode, attribute: AttributeDefinition): number[] {
  const caseExact = (name: string) => isCaseExact(attribute, name)
  return list.flatMap((item, index) => (isPlainObject(item) && matchesElement(filter, item, { caseExact }) ? [index] : []))
}

/**
 * Binds a value filter to the attribute: sub-attribute names become canonical and literals take the
 * sub-attribute's type, so `roles[primary eq "True"]` compares, and seeds an element, as the boolean true.
 */
function bindFilter(filter: FilterNode, attribute: AttributeDefinition, label: string, compat: CompatLog): FilterNode {
  switch (filter.op) {
    case 'and':
    case 'or':
      return { op: filter.op, filters: filter.filters.map((inner) => bindFilter(inner, attribute, label, compat)) }
    case 'not':
      return { op: 'not', filter: bindFilter(filter.filter, attribute, label, compat) }
    case '[]':
      throw invalidPath(`'${label}': a value filter cannot hold another value path (RFC 7644 §3.4.2.2).`)
    default: {
      const sub = findSubAttribute(attribute, filter.attrPath, compat)
      if (!sub) throw invalidPath(`'${label}': '${attribute.name}' has no sub-attribute '${filter.attrPath}'.`)
      if (filter.op === 'pr') return { op: 'pr', attrPath: sub.name }
      return { op: filter.op, attrPath: sub.name, compValue: bindLiteral(sub, filter.compValue, label, compat) }
    }
  }
}

function bindLiteral(sub: AttributeDefinition, value: CompValue, label: string, compat: CompatLog): CompValue {
  if (value === null) return null
  try {
    return coerceSimpleValue(sub, value, compat, sub.name) as CompValue
  } catch {
    throw invalidPath(`'${label}': the filter value for '${sub.name}' does not fit its type (${sub.type}).`)
  }
}

/**
 * The element a filtered path describes, from its `eq` terms joined by `and` (`type eq "work"` →
 * `{type: "work"}`); undefined when the filter does not pin values down (`or`, `ne`, `pr`…).
 */
function elementFromFilter(filter: FilterNode): JsonObject | undefined {
  if (filter.op === 'eq') return filter.compValue === null ? undefined : { [filter.attrPath]: filter.compValue }
  if (filter.op !== 'and') return undefined
  const parts = filter.filters.map(elementFromFilter)
  return parts.every((part) => part !== undefined) ? Object.fromEntries(parts.flatMap((part) => Object.entries(part))) : undefined
}
