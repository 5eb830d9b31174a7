import { attribute, multiValued, type AttributeDefinition, type SchemaDefinition } from './attributes'
import type { ResourceSchema } from './resource-schema'

/** RFC 7643 §8.7.1: the core User schema, §4.1. */
export const CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User'
/** RFC 7643 §4.3: the enterprise User extension. */
export const ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

/** Any extension URN of the form Entra admins type for their own attributes. */
export const EXTENSION_URN_PATTERN = /^urn:ietf:params:scim:schemas:extension:([^:]+):2\.0:User$/i

export function customExtensionUrn(extensionName: string): string {
  return `urn:ietf:params:scim:schemas:extension:${extensionName}:2.0:User`
}

const coreAttributes: AttributeDefinition[] = [
  attribute('userName', 'string', 'Unique identifier for the User, typically the sign-in name.', {
    required: true,
    uniqueness: 'server',
  }),
  attribute('name', 'complex', "The components of the user's real name.", {
    subAttributes: [
      attribute('formatted', 'string', 'The full name, formatted for display.'),
      attribute('familyName', 'string', 'The family name of the User.'),
      attribute('givenName', 'string', 'The given name of the User.'),
      attribute('middleName', 'string', 'The middle name(s) of the User.'),
      attribute('honorificPrefix', 'string', 'The honorific prefix(es) of the User.'),
      attribute('honorificSuffix', 'string', 'The honorific suffix(es) of the User.'),
    ],
  }),
  attribute('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
  attribute('nickName', 'string', 'The casual way to address the user.'),
  attribute('profileUrl', 'reference', "A fully qualified URL pointing to the User's online profile.", {
    referenceTypes: ['external'],
  }),
  attribute('title', 'string', "The user's title, such as 'Vice President'."),
  attribute('userType', 'string', 'The relationship between the organization and the user.'),
  attribute('preferredLanguage', 'string', "The User's preferred written or spoken language (RFC 7231 §5.3.5)."),
  attribute('locale', 'string', "The User's default location, e.g. 'en-US'."),
  attribute('timezone', 'string', "The User's time zone in IANA format, e.g. 'America/Los_Angeles'."),
  attribute('active', 'boolean', "The User's administrative status."),
  attribute('password', 'string', 'Accepted for compatibility and never stored or returned.', {
    mutability: 'writeOnly',
    returned: 'never',
  }),
  multiValued('emails', 'Email addresses for the user.', 'string', ['work', 'home', 'other']),
  multiValued('phoneNumbers', 'Phone numbers for the User.', 'string', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  multiValued('ims', 'Instant messaging addresses for the User.', 'string', []),
  multiValued('photos', 'URLs of photos of the User.', 'reference', ['photo', 'thumbnail']),
  attribute('addresses', 'complex', 'Physical mailing addresses for this User.', {
    multiValued: true,
    subAttributes: [
      attribute('formatted', 'string', 'The full mailing address, formatted for display.'),
      attribute('streetAddress', 'string', 'The full street address component.'),
      attribute('locality', 'string', 'The city or locality component.'),
      attribute('region', 'string', 'The state or region component.'),
      attribute('postalCode', 'string', 'The zip code or postal code component.'),
      attribute('country', 'string', 'The country name component (ISO 3166-1 alpha-2).'),
      attribute('type', 'string', 'A label indicating the function of the address.', {
        canonicalValues: ['work', 'home', 'other'],
      }),
      attribute('primary', 'boolean', 'Whether this is the primary address.'),
    ],
  }),
  multiValued('entitlements', 'A list of entitlements for the User.', 'string', []),
  multiValued('roles', 'A list of roles for the User.', 'string', []),
  multiValued('x509Certificates', 'A list of certificates issued to the User.', 'binary', []),
]

export const coreUserSchema: SchemaDefinition = {
  id: CORE_USER_URN,
  name: 'User',
  description: 'User Account',
  attributes: [
    // Unique per identity provider, as userName is: POST, PUT and PATCH answer 409 on a second user with it.
    attribute('externalId', 'string', "The identifier of the user in the provisioning client's system.", {
      caseExact: true,
      uniqueness: 'server',
    }),
    ...coreAttributes,
  ],
}

export const enterpriseUserSchema: SchemaDefinition = {
  id: ENTERPRISE_USER_URN,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute('employeeNumber', 'string', 'A string identifier, typically numeric or alphanumeric, assigned to a person.'),
    attribute('costCenter', 'string', 'Identifies the name of a cost center.'),
    attribute('organization', 'string', 'Identifies the name of an organization.'),
    attribute('division', 'string', 'Identifies the name of a division.'),
    attribute('department', 'string', 'Identifies the name of a department.'),
    attribute('manager', 'complex', "The User's manager.", {
      subAttributes: [
        attribute('value', 'string', 'The id of the SCIM resource representing the manager.'),
        attribute('$ref', 'reference', 'The URI of the SCIM resource representing the manager.', {
          referenceTypes: ['User'],
        }),
        attribute('displayName', 'string', 'The displayName of the manager.', { mutability: 'readOnly' }),
      ],
    }),
  ],
}

/** The User resource type (RFC 7643 §4.1, §4.3), described as any resource type would be. */
export const userResource: ResourceSchema = {
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  core: coreUserSchema,
  extensions: [enterpriseUserSchema],
}
