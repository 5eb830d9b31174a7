import { LIST_RESPONSE_SCHEMA } from './representation'
import type { SchemaDefinition } from './schema/attributes'
import type { UserSchema } from './schema/user-schema'
import { CORE_USER_URN, ENTERPRISE_USER_URN } from './schema/user'

/** Discovery documents, RFC 7644 §4 and RFC 7643 §5–§7: exactly what this server supports. */

export const MAX_PAGE_SIZE = 1000

export function serviceProviderConfig(baseUrl: string, maxBodyBytes: number) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: `${baseUrl}`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: `A secret token (ttscim_…) issued by TraffiTech for this identity provider. Requests up to ${maxBodyBytes} bytes.`,
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${baseUrl}/ServiceProviderConfig`,
    },
  }
}

export function resourceTypes(baseUrl: string, schema: UserSchema) {
  const userType = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: CORE_USER_URN,
    schemaExtensions: [
      { schema: ENTERPRISE_USER_URN, required: false },
      { schema: schema.extensionUrn, required: false },
    ],
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
  }
  return { userType, list: listOf([userType]) }
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
    list: listOf(documents),
    byId: (id: string) => documents.find((document) => document.id.toLowerCase() === id.toLowerCase()),
  }
}

function listOf(resources: unknown[]) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  }
}
