/**
 * Attribute metadata, RFC 7643 §2.2 and §7. Used by discovery (/Schemas), validation, PATCH and filters.
 */
export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary'

export type AttributeDefinition = {
  name: string
  type: AttributeType
  multiValued: boolean
  description: string
  required: boolean
  caseExact: boolean
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly'
  returned: 'always' | 'never' | 'default' | 'request'
  uniqueness: 'none' | 'server' | 'global'
  canonicalValues?: string[]
  referenceTypes?: string[]
  subAttributes?: AttributeDefinition[]
}

export type SchemaDefinition = {
  id: string
  name: string
  description: string
  attributes: AttributeDefinition[]
}

type Options = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>

/** An attribute with the RFC 7643 §2.2 defaults, overridden by `options`. */
export function attribute(name: string, type: AttributeType, description: string, options: Options = {}): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  }
}

/** A multi-valued complex attribute with the usual value/display/type/primary sub-attributes (RFC 7643 §2.4). */
export function multiValued(
  name: string,
  description: string,
  valueType: AttributeType,
  canonicalTypes: string[],
  extra: AttributeDefinition[] = [],
): AttributeDefinition {
  const valueOptions: Options = valueType === 'reference' ? { referenceTypes: ['external'] } : {}
  return attribute(name, 'complex', description, {
    multiValued: true,
    subAttributes: [
      attribute('value', valueType, `The ${name} value.`, valueOptions),
      attribute('display', 'string', 'A human-readable name, primarily used for display purposes.'),
      attribute('type', 'string', 'A label indicating the function of the value.', {
        ...(canonicalTypes.length ? { canonicalValues: canonicalTypes } : {}),
      }),
      attribute('primary', 'boolean', 'Whether this is the primary value of the attribute.'),
      ...extra,
    ],
  })
}

export function findAttribute(list: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  const lower = name.toLowerCase()
  return list.find((candidate) => candidate.name.toLowerCase() === lower)
}
