import type { SchemaDefinition } from './attributes'

/**
 * A SCIM resource type (RFC 7643 §6) as the protocol core sees it: its name and endpoint, its core schema
 * and the extensions every tenant has. The tenant's own custom extension is added per IdP (tenant-schema.ts).
 * Only User exists today; a second resource type (Groups one day) is described through the same shape, so
 * discovery, the readers and the filter compiler can take a ResourceSchema instead of assuming User.
 */
export type ResourceSchema = {
  /** The ResourceType id and name, e.g. `User`. */
  readonly name: string
  /** The endpoint below the tenant URL, e.g. `/Users` (the same path as its entry in lib/http/scim-resources.ts). */
  readonly endpoint: string
  readonly description: string
  readonly core: SchemaDefinition
  /** Extensions every tenant has (RFC 7643 §6 schemaExtensions); none of them required. */
  readonly extensions: readonly SchemaDefinition[]
}
