import { compatRules, type CompatLog } from '../compat'
import { ScimError, invalidPath, invalidValue, mutability, noTarget } from '../errors'
import type { CompValue, FilterNode } from '../filter/ast'
import { matchesElement } from '../filter/evaluate'
import { assertResourceWithinLimits, assertValueCount, scimLimits } from '../limits'
import type { AttributeDefinition, SchemaDefinition } from '../schema/attributes'
import { findAttribute } from '../schema/attributes'
import { coerceSimpleValue } from '../schema/coerce'
import { CORE_USER_URN } from '../schema/user'
import { resolveAttributePath, schemaForUrn, type UserSchema } from '../schema/tenant-schema'
import { canonicalJson, cloneJson, isEmptyValue, isPlainObject, isUnsafeKey, ownValue } from '../json'
import {
  assertSinglePrimary,
  assertUserName,
  attributeHolder,
  compactResource,
  findSubAttribute,
  isClientWritable,
  isIgnoredKey,
  isManager,
  readAttributeValue,
  readElement,
  readSimple,
  type ReadContext,
  type UserResource,
} from '../schema/read-value'
import type { UserInput } from '../user-input'
import { normalizePatchBody, type PatchOperation } from './normalize'
import { parsePatchPath, type PatchPath } from './parse-path'

type JsonObject = Record<string, unknown>
type WriteMode = 'add' | 'replace'
/** Reading state plus the attribute writes made so far, counted against `scimLimits.maxPatchWrites`. */
type PatchContext = ReadContext & { writes: number }

/**
 * Each change to one attribute counts: an operation with a path, and each member of a path-less or schema
 * value. Without this, 100 operations of 1000-member value maps would buy 100,000 writes in one request.
 */
function countWrite(ctx: PatchContext): void {
  ctx.writes += 1
  if (ctx.writes > scimLimits.maxPatchWrites) {
    throw invalidValue(
      `The PATCH changes more than ${scimLimits.maxPatchWrites} attributes (operations and the members of their values); the limit is ${scimLimits.maxPatchWrites} per request.`,
    )
  }
}

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

/** RFC 7643 §4.1: a User without a userName is not a User; removing or clearing it is refused. */
const REQUIRED = new Set(['userName'])

/**
 * Applies a PatchOp body (RFC 7644 §3.5.2) to a canonical User and returns the new resource; the input is
 * never changed. Operations apply in order to one copy, so any error leaves nothing applied (§3.5.2:
 * "the operations … SHALL be applied … atomically"). Paths to attributes this IdP has not registered are
 * skipped and listed in `discarded` rather than failing the request: Entra would retry and quarantine.
 * Linear in the size of the body and the resource: no operation may leave a multi-valued attribute with more
 * than `scimLimits.maxAttributeValues` values, and value lookups go through an index, never a scan per value.
 */
export function applyPatch(resource: UserResource, body: unknown, schema: UserSchema, compat: CompatLog): UserInput {
  const operations = normalizePatchBody(body, compat)
  const ctx: PatchContext = { compat, discarded: [], writes: 0 }
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
  assertResourceWithinLimits(out)
  return { resource: out, discarded: ctx.discarded }
}

function applyOperation(resource: UserResource, operation: PatchOperation, schema: UserSchema, ctx: PatchContext): void {
  if (operation.path === undefined) {
    applyPathless(resource, operation.op as WriteMode, operation.value, schema, ctx)
    return
  }
  const resolution = resolveTarget(parsePatchPath(operation.path), operation.path, schema, ctx)
  applyResolution(resource, operation, resolution, ctx)
}

function applyResolution(resource: UserResource, operation: PatchOperation, resolution: Resolution, ctx: PatchContext): void {
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
function applyPathless(resource: UserResource, mode: WriteMode, value: unknown, schema: UserSchema, ctx: PatchContext): void {
  if (!isPlainObject(value))
    throw invalidValue(`A path-less '${mode}' needs an object of attributes as its value (RFC 7644 §3.5.2.1).`)
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
    target: {
      schemaUrn: resolved.schemaUrn,
      attribute,
      label,
      ...(subAttribute ? { subAttribute } : {}),
      ...(filter ? { filter } : {}),
    },
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
function applyToSchema(resource: UserResource, operation: PatchOperation, schema: SchemaDefinition, ctx: PatchContext): void {
  const urn = schema.id
  if (operation.op === 'remove') {
    countWrite(ctx)
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

function writeTarget(resource: UserResource, mode: WriteMode, target: Target, value: unknown, ctx: PatchContext): void {
  countWrite(ctx)
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

/** Core `active`: optional in /Schemas, but the account state is never dropped by a remove or a clear. */
function isCoreActive(target: Target): boolean {
  return target.schemaUrn === CORE_USER_URN && target.attribute.name === 'active' && !target.subAttribute && !target.filter
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
  if (clearing && isCoreActive(target)) {
    ctx.compat.add(compatRules.activeKeptOnRemove)
    return
  }
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
  if (incoming.length === 0) return
  const list = elementsOf(holder, attribute)
  const index = new ElementIndex(list, attribute)
  for (const item of incoming) {
    let same = index.find(item)
    // §3.5.2.1: "If the target location already contains the value specified, no changes SHOULD be made".
    if (same === -1) same = index.push(item)
    else if (isPlainObject(item)) index.set(same, { ...mergeElement(list[same], item), ...keepIdentity(list[same]) })
    if (isPlainObject(item) && item.primary === true) index.clearOtherPrimaries(same)
  }
  assertValueCount(list, target.label)
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
    assertValueCount(list, target.label)
    matches = [list.length - 1]
  }
  const patch = subAttribute
    ? { [subAttribute.name]: clearing ? null : readSimple(subAttribute, value, ctx, target.label) }
    : clearing
      ? null
      : readFilteredValue(attribute, value, ctx, target.label)
  for (const index of matches) list[index] = patch === null ? null : mergeElement(list[index], patch)
  if (patch?.primary === true) clearOtherPrimaries(list, new Set(matches))
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

function removeTarget(resource: UserResource, target: Target, value: unknown, ctx: PatchContext): void {
  countWrite(ctx)
  const { attribute, subAttribute, filter } = target
  if (isCoreActive(target)) {
    // Conformance suites remove `active` because /Schemas calls it optional; dropping the flag must not
    // reactivate a deactivated account (a missing `active` reads as true), so the state is kept.
    ctx.compat.add(compatRules.activeKeptOnRemove)
    return
  }
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
  const removed = new Set<number>()
  // Each entry is looked up by one of its sub-attributes (`value` when it has one), then checked in full.
  const bySubAttribute = new Map<string, Map<string, number[]>>()
  for (const entry of listed) {
    if (!isPlainObject(entry)) continue
    const keys = Object.keys(entry)
    const key = keys.includes('value') ? 'value' : (keys.find((name) => !QUALIFIERS.has(name)) ?? keys[0])
    if (key === undefined) continue
    let lookup = bySubAttribute.get(key)
    if (!lookup) {
      lookup = new Map()
      list.forEach((item, index) => {
        const itemKey = isPlainObject(item) ? lookupKey(attribute, key, item[key]) : undefined
        if (itemKey !== undefined) appendTo(lookup as Map<string, number[]>, itemKey, index)
      })
      bySubAttribute.set(key, lookup)
    }
    const entryKey = lookupKey(attribute, key, entry[key])
    for (const index of (entryKey === undefined ? undefined : lookup.get(entryKey)) ?? []) {
      if (!removed.has(index) && containsEntry(list[index], entry, attribute)) removed.add(index)
    }
  }
  return list.filter((_, index) => !removed.has(index))
}

// ---- elements and value filters ----

/**
 * The working list of a multi-valued attribute, changed in place: applyPatch works on its own deep copy of
 * the resource and never mutates an element (it replaces it), so nothing needs copying per operation.
 */
function elementsOf(holder: JsonObject, attribute: AttributeDefinition): unknown[] {
  const current = ownValue(holder, attribute.name)
  return Array.isArray(current) ? current : []
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

function clearOtherPrimaries(list: unknown[], keep: ReadonlySet<number>): void {
  list.forEach((item, index) => {
    if (!keep.has(index) && isPlainObject(item) && item.primary === true) list[index] = { ...item, primary: false }
  })
}

const QUALIFIERS = new Set(['type', 'primary', 'display'])

/**
 * A sub-attribute value as a lookup key that is equal exactly when equalsSub says so: strings folded to
 * lower case unless caseExact, other scalars by type and value. Objects compare by identity there, so they
 * get no key (they never match).
 */
function lookupKey(attribute: AttributeDefinition, name: string, value: unknown): string | undefined {
  if (typeof value === 'string') return `s${isCaseExact(attribute, name) ? value : value.toLowerCase()}`
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return `p${String(value)}`
  return undefined
}

function appendTo(map: Map<string, number[]>, key: string, index: number): void {
  const indexes = map.get(key)
  if (indexes) indexes.push(index)
  else map.set(key, [index])
}

/**
 * add's de-duplication (§3.5.2.1) over one working list, in constant time per value. An element is the same
 * as an incoming one when it has the same `value` (and the same `type`, if the incoming one gives a type), or,
 * for an incoming value without `value`, when both are equal as JSON; the first such element in list order
 * wins. `value` and `type` of an element never change during add (a merge keeps them), so those keys stay
 * valid; the JSON keys change on a merge or a primary flip and are kept up to date.
 */
class ElementIndex {
  private readonly byValue = new Map<string, number>()
  private readonly byValueAndType = new Map<string, number>()
  private byJson: Map<string, number[]> | undefined
  private readonly jsonAt: string[] = []
  private readonly primaries = new Set<number>()

  constructor(
    private readonly list: unknown[],
    private readonly attribute: AttributeDefinition,
  ) {
    list.forEach((element, index) => this.addKeys(element, index))
  }

  /** The index of the element the same as `item`, or -1. */
  find(item: unknown): number {
    if (!isPlainObject(item) || item.value === undefined) {
      return this.json().get(canonicalJson(item))?.[0] ?? -1
    }
    const valueKey = lookupKey(this.attribute, 'value', item.value)
    if (valueKey === undefined) return -1
    if (item.type === undefined) return this.byValue.get(valueKey) ?? -1
    const typeKey = lookupKey(this.attribute, 'type', item.type)
    return typeKey === undefined ? -1 : (this.byValueAndType.get(JSON.stringify([valueKey, typeKey])) ?? -1)
  }

  push(element: unknown): number {
    const index = this.list.push(element) - 1
    this.addKeys(element, index)
    if (this.byJson) {
      this.jsonAt[index] = canonicalJson(element)
      appendTo(this.byJson, this.jsonAt[index], index)
    }
    return index
  }

  /** Replaces the element at `index` with one of the same `value` and `type`. */
  set(index: number, element: unknown): void {
    this.list[index] = element
    if (isPlainObject(element) && element.primary === true) this.primaries.add(index)
    else this.primaries.delete(index)
    if (!this.byJson) return
    const before = this.jsonAt[index] as string
    const after = canonicalJson(element)
    if (before === after) return
    const old = this.byJson.get(before) ?? []
    old.splice(old.indexOf(index), 1)
    if (old.length === 0) this.byJson.delete(before)
    this.jsonAt[index] = after
    const indexes = this.byJson.get(after)
    if (!indexes) this.byJson.set(after, [index])
    else indexes.splice(sortedPosition(indexes, index), 0, index)
  }

  clearOtherPrimaries(keep: number): void {
    for (const index of [...this.primaries]) {
      const element = this.list[index]
      if (index !== keep && isPlainObject(element)) this.set(index, { ...element, primary: false })
    }
  }

  private addKeys(element: unknown, index: number): void {
    if (!isPlainObject(element)) return
    if (element.primary === true) this.primaries.add(index)
    const valueKey = lookupKey(this.attribute, 'value', element.value)
    if (element.value === undefined || valueKey === undefined) return
    if (!this.byValue.has(valueKey)) this.byValue.set(valueKey, index)
    const typeKey = element.type === undefined ? undefined : lookupKey(this.attribute, 'type', element.type)
    if (typeKey === undefined) return
    const key = JSON.stringify([valueKey, typeKey])
    if (!this.byValueAndType.has(key)) this.byValueAndType.set(key, index)
  }

  /** Built on first use: most values carry a `value`. */
  private json(): Map<string, number[]> {
    if (!this.byJson) {
      const byJson = new Map<string, number[]>()
      this.list.forEach((element, index) => {
        this.jsonAt[index] = canonicalJson(element)
        appendTo(byJson, this.jsonAt[index], index)
      })
      this.byJson = byJson
    }
    return this.byJson
  }
}

function sortedPosition(sorted: readonly number[], value: number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >> 1
    if ((sorted[middle] as number) < value) low = middle + 1
    else high = middle
  }
  return low
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
