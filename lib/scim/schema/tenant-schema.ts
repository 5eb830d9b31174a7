import type { CompatLog } from '../compat'
import { compatRules } from '../compat'
import { attribute, findAttribute, type AttributeDefinition, type SchemaDefinition } from './attributes'
import {
  CORE_USER_URN,
  ENTERPRISE_USER_URN,
  EXTENSION_URN_PATTERN,
  coreUserSchema,
  customExtensionUrn,
  enterpriseUserSchema,
} from './user'

export type CustomAttributeType = 'string' | 'integer' | 'decimal' | 'boolean' | 'dateTime'

/** A custom attribute registered for one IdP. */
export type CustomAttributeDefinition = {
  name: string
  type: CustomAttributeType
  description?: string
}

/** The User resource as one IdP sees it: core, enterprise, and that IdP's custom extension. */
export type UserSchema = {
  extensionUrn: string
  schemas: readonly [SchemaDefinition, SchemaDefinition, SchemaDefinition]
}

export function buildUserSchema(options: {
  extensionName: string
  customAttributes: readonly CustomAttributeDefinition[]
}): UserSchema {
  const extensionUrn = customExtensionUrn(options.extensionName)
  const custom: SchemaDefinition = {
    id: extensionUrn,
    name: 'CustomAttributes',
    description: 'Custom attributes registered for this identity provider',
    attributes: options.customAttributes.map((definition) =>
      attribute(definition.name, definition.type, definition.description || `Custom attribute ${definition.name}.`),
    ),
  }
  return { extensionUrn, schemas: [coreUserSchema, enterpriseUserSchema, custom] }
}

/** Where an attribute path points: the schema that holds it, the attribute, and maybe a sub-attribute. */
export type ResolvedAttribute = {
  /** CORE_USER_URN for core attributes (stored at the top level), else the extension URN (stored under it). */
  schemaUrn: string
  attribute: AttributeDefinition
  subAttribute?: AttributeDefinition
}

/**
 * Resolves an attribute path (RFC 7644 §3.10: `attr`, `attr.sub`, `urn:…:attr`, `urn:…:attr.sub`) to its
 * canonical definition, matching names case-insensitively (RFC 7643 §2.1). Also accepted, and reported:
 * a custom attribute by its plain name (`JobCode`), under any extension URN an IdP admin typed, and the
 * `urn:…:User.attr` spelling of Entra's attribute-mapping screen. Returns undefined for an unknown attribute.
 */
export function resolveAttributePath(schema: UserSchema, path: string, compat?: CompatLog): ResolvedAttribute | undefined {
  const [core, enterprise, custom] = schema.schemas
  const qualified = splitUrn(schema, path)
  let holder: SchemaDefinition
  let rest: string
  if (qualified) {
    holder = qualified.schema
    rest = qualified.rest
    if (qualified.foreign) compat?.add(compatRules.foreignExtensionUrn)
  } else {
    holder = core
    rest = path
  }
  const dot = rest.indexOf('.')
  const name = dot === -1 ? rest : rest.slice(0, dot)
  const subName = dot === -1 ? undefined : rest.slice(dot + 1)
  let found = findAttribute(holder.attributes, name)
  if (!found && !qualified) {
    // Entra sends a custom attribute registered without the URN prefix as a plain top-level name.
    const customFound = findAttribute(custom.attributes, rest) ?? findAttribute(custom.attributes, name)
    if (customFound) {
      compat?.add(compatRules.plainNameCustomAttribute)
      return { schemaUrn: custom.id, attribute: customFound }
    }
    // Legacy Entra addresses the enterprise manager as plain `manager` (no core attribute has that name).
    if (name.toLowerCase() === 'manager') {
      compat?.add(compatRules.unqualifiedEnterpriseAttribute)
      holder = enterprise
      found = findAttribute(enterprise.attributes, name)
    }
  }
  if (!found) return undefined
  if (found.name !== name) compat?.add(compatRules.attributeNameCase)
  if (subName === undefined) return { schemaUrn: holder.id, attribute: found }
  const sub = found.subAttributes ? findAttribute(found.subAttributes, subName) : undefined
  if (!sub) return undefined
  return { schemaUrn: holder.id, attribute: found, subAttribute: sub }
}

/**
 * The schema a URN-qualified path names and the attribute part after it, or undefined for an unqualified
 * path. Any `urn:ietf:params:scim:schemas:extension:<name>:2.0:User` maps to this IdP's custom extension.
 */
export function splitUrn(
  schema: UserSchema,
  path: string,
): { schema: SchemaDefinition; rest: string; foreign: boolean } | undefined {
  if (!/^urn:/i.test(path)) return undefined
  const lower = path.toLowerCase()
  for (const candidate of schema.schemas) {
    const urn = candidate.id.toLowerCase()
    if (lower.startsWith(urn) && (path[urn.length] === ':' || path[urn.length] === '.')) {
      return { schema: candidate, rest: path.slice(urn.length + 1), foreign: false }
    }
  }
  const lastColon = path.lastIndexOf(':')
  const dotAfterUser = path.search(/:2\.0:User\./i)
  const cut = dotAfterUser !== -1 ? dotAfterUser + ':2.0:User'.length : lastColon
  const urn = path.slice(0, cut)
  if (EXTENSION_URN_PATTERN.test(urn) && urn.toLowerCase() !== ENTERPRISE_USER_URN.toLowerCase()) {
    return { schema: schema.schemas[2], rest: path.slice(cut + 1), foreign: true }
  }
  return undefined
}

/** The schema a bare URN names (a PATCH path or a POST key may be an entire extension), if known. */
export function schemaForUrn(schema: UserSchema, urn: string): { schema: SchemaDefinition; foreign: boolean } | undefined {
  const lower = urn.toLowerCase()
  const known = schema.schemas.find((candidate) => candidate.id.toLowerCase() === lower)
  if (known) return { schema: known, foreign: false }
  if (EXTENSION_URN_PATTERN.test(urn) && lower !== ENTERPRISE_USER_URN.toLowerCase()) {
    return { schema: schema.schemas[2], foreign: true }
  }
  return undefined
}

export { CORE_USER_URN, ENTERPRISE_USER_URN }
