import { scimLimits } from './limits'
import { listResponse } from './representation'
import type { SchemaDefinition } from './schema/attributes'
import type { UserSchema } from './schema/tenant-schema'
import type { ResourceSchema } from './schema/resource-schema'
import { userResource } from './schema/user'

/** Discovery documents, RFC 7644 §4 and RFC 7643 §5–§7: exactly what this server supports. */

export const MAX_PAGE_SIZE = scimLimits.maxPageSize
export const DEFAULT_PAGE_SIZE = scimLimits.defaultPageSize

/**
 * Our extension of the ServiceProviderConfig (RFC 7643 §3.3 extension, listed in `schemas`): the request
 * limits RFC 7643 §5 has no field for. A private URN, as RFC 7643 §10.2 keeps `urn:ietf:params:scim` for IANA.
 */
export const LIMITS_EXTENSION_URN = 'urn:traffitech:scim:schemas:extension:limits:1.0:ServiceProviderConfig'

/** The request limits as advertised; every number comes from `scimLimits`, the one the checks use. */
export function advertisedLimits(maxBodyBytes: number) {
  return {
    maxRequestBytes: maxBodyBytes,
    maxPatchOperations: scimLimits.maxPatchOperations,
    maxPatchWrites: scimLimits.maxPatchWrites,
    maxAttributeValues: scimLimits.maxAttributeValues,
    maxStringBytes: scimLimits.maxStringBytes,
    maxResourceBytes: scimLimits.maxResourceBytes,
    maxFilterLength: scimLimits.maxFilterLength,
    maxFilterComparisons: scimLimits.maxFilterComparisons,
    maxFilterDepth: scimLimits.maxFilterDepth,
    maxJsonDepth: scimLimits.maxJsonDepth,
    maxJsonArrayLength: scimLimits.maxJsonArrayLength,
    maxJsonObjectMembers: scimLimits.maxJsonObjectMembers,
    maxPageSize: scimLimits.maxPageSize,
  }
}

export function serviceProviderConfig(baseUrl: string, maxBodyBytes: number) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig', LIMITS_EXTENSION_URN],
    documentationUri: `${baseUrl}`,
    patch: { supported: true },
    // Bulk is not offered, so it takes no operations and no payload (RFC 7643 §5 still requires the fields).
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    // RFC 7643 §5 filter.maxResults: the most resources one list response returns.
    filter: { supported: true, maxResults: scimLimits.maxPageSize },
    changePassword: { supported: false },
    sort: { supported: true },
    // RFC 9865: cursors beside startIndex; a request without either pages by index, as RFC 7644 clients expect.
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: scimLimits.defaultPageSize,
      maxPageSize: scimLimits.maxPageSize,
    },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: `A secret token (ttscim_…) issued by TraffiTech for this identity provider. Requests up to ${maxBodyBytes} bytes.`,
        primary: true,
      },
    ],
    [LIMITS_EXTENSION_URN]: advertisedLimits(maxBodyBytes),
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${baseUrl}/ServiceProviderConfig`,
    },
  }
}

export function resourceTypes(baseUrl: string, schema: UserSchema) {
  const userType = resourceTypeDocument(baseUrl, userResource, schema.extensionUrn)
  return { userType, list: listResponse([userType], 1, { startIndex: 1 }) }
}

function schemaDocument(definition: SchemaDefinition, baseUrl: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
    ...definition,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${definition.id}` },
  }
}

export function schemaDocuments(baseUrl: string, schema: UserSchema) {
  const documents = schema.schemas.map((definition) => schemaDocument(definition, baseUrl))
  return {
    list: listResponse(documents, documents.length, { startIndex: 1 }),
    byId: (id: string) => documents.find((document) => document.id.toLowerCase() === id.toLowerCase()),
  }
}

/** RFC 7643 §6: a resource type, with the tenant's custom extension after the ones every tenant has. */
function resourceTypeDocument(baseUrl: string, resource: ResourceSchema, tenantExtensionUrn: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: resource.name,
    name: resource.name,
    endpoint: resource.endpoint,
    description: resource.description,
    schema: resource.core.id,
    schemaExtensions: [
      ...resource.extensions.map((extension) => ({ schema: extension.id, required: false })),
      { schema: tenantExtensionUrn, required: false },
    ],
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${resource.name}` },
  }
}
