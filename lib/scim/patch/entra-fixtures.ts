/**
 * Request bodies as Microsoft Entra ID and its SCIM validators send them, for tests. Sources (see
 * shared/entra-scim-behaviour.md §4–§6): learn.microsoft.com "Tutorial: Develop and plan provisioning for a
 * SCIM endpoint" (Create User, Example 2, Disable User, Example 5 manager), "Known issues and resolutions with
 * SCIM 2.0 protocol compliance" (legacy vs `aadOptscim062020` PATCH shapes), "Customize attribute mappings"
 * (custom extension attributes), AzureAD/SCIMReferenceCode Postman tests (string "True"), and the
 * scimvalidator.microsoft.com request shapes (manager, roles[primary eq "True"]).
 */
import { ENTERPRISE_USER_URN } from '../schema/user'

export const PATCH_SCHEMAS = ['urn:ietf:params:scim:api:messages:2.0:PatchOp']
export const CUSTOM_URN = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'

export function patchBody(...operations: unknown[]) {
  return { schemas: PATCH_SCHEMAS, Operations: operations }
}

/** TUTORIAL "Create User" request, with Entra's client-supplied meta and empty roles. */
export const entraCreateUser = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_URN],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
  active: true,
  displayName: 'Test User',
  title: 'Engineer',
  emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  phoneNumbers: [
    { type: 'work', value: '+1 (425) 555-0100' },
    { type: 'mobile', value: '425.555.0101' },
  ],
  roles: [],
  [ENTERPRISE_USER_URN]: { employeeNumber: 'E-1001', department: 'Traffic' },
}

/** SCIMReferenceCode Postman "Post emp1 with string True". */
export const referenceCreateWithStringTrue = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'emp1@contoso.com',
  active: 'True',
  emails: [{ primary: 'True', type: 'work', value: 'emp1@contoso.com' }],
  roles: [{ primary: 'True', type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' }],
}

/** ATTRS: a custom extension object that Entra does not list in `schemas`. */
export const entraCreateWithCustomExtension = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_URN],
  userName: 'jdoe@contoso.com',
  active: true,
  [CUSTOM_URN]: { JobCode: 'JC-7', RegionID: 'EU-1' },
}

/** COMPAT, legacy mode: disable user with a capitalised op and a string boolean. */
export const legacyDisable = patchBody({ op: 'Replace', path: 'active', value: 'False' })
/** SCIMMY #86: the lowercase string form. */
export const legacyDisableLowercase = patchBody({ op: 'Replace', path: 'active', value: 'false' })
/** COMPAT, `aadOptscim062020`: a real boolean and a lowercase op. */
export const flaggedDisable = patchBody({ op: 'replace', path: 'active', value: false })
export const restore = patchBody({ op: 'Replace', path: 'active', value: 'True' })

/** COMPAT, legacy mode: one Replace per attribute, each with a path. */
export const legacyReplaceSeveral = patchBody(
  { op: 'Replace', path: 'displayName', value: 'Babs Jensen' },
  { op: 'Replace', path: 'emails[type eq "work"].value', value: 'babs@contoso.com' },
  { op: 'Replace', path: 'name.givenName', value: 'Barbara' },
  { op: 'Replace', path: 'name.familyName', value: 'Jensen' },
  { op: 'Replace', path: 'externalId', value: 'bjensen' },
  { op: 'Replace', path: `${ENTERPRISE_USER_URN}:employeeNumber`, value: 'E-2002' },
)

/** COMPAT, `aadOptscim062020`: filtered paths keep their op; single-valued changes go into one path-less replace. */
export const flaggedReplaceSeveral = patchBody(
  { op: 'replace', path: 'emails[type eq "work"].value', value: 'babs@contoso.com' },
  {
    op: 'replace',
    value: {
      displayName: 'Babs Jensen',
      'name.givenName': 'Barbara',
      'name.familyName': 'Jensen',
      externalId: 'bjensen',
      [`${ENTERPRISE_USER_URN}:employeeNumber`]: 'E-2002',
    },
  },
)

export const legacyAddNickName = patchBody({ op: 'Add', path: 'nickName', value: 'Babs' })
export const flaggedAddNickName = patchBody({ op: 'add', path: 'nickName', value: 'Babs' })
export const replaceUserName = patchBody({ op: 'Replace', path: 'userName', value: 'babs.jensen@contoso.com' })

/** TUTORIAL default mappings: telephoneNumber, mobile, facsimile, address parts. */
export const phoneNumbersAndAddress = patchBody(
  { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 (425) 555-0100' },
  { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '425.555.0101' },
  { op: 'Add', path: 'phoneNumbers[type eq "fax"].value', value: '425 555 0102' },
  { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '98052' },
  { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
)

/** TUTORIAL example 5: legacy manager as a one-element array with $ref, on the unqualified path. */
export const legacyAddManager = patchBody({
  op: 'Add',
  path: 'manager',
  value: [{ $ref: 'https://scim.example/Users/26118915-6090-4610-87e4-49d8ca9f808d', value: '26118915-6090-4610-87e4-49d8ca9f808d' }],
})
/** Validator "Patch User - Add/Replace Manager". */
export const validatorReplaceManager = patchBody({ op: 'replace', path: `${ENTERPRISE_USER_URN}:manager`, value: { value: 'mgr-2' } })
export const bareStringManager = patchBody({ op: 'Replace', path: `${ENTERPRISE_USER_URN}:manager`, value: 'mgr-3' })
/** Validator "Patch User - Remove Manager". */
export const validatorClearManager = patchBody({ op: 'replace', path: `${ENTERPRISE_USER_URN}:manager`, value: { value: '' } })

/** ATTRS: custom attributes by URN (legacy path, flagged path-less key) and by plain name. */
export const legacyCustomByUrn = patchBody({ op: 'Replace', path: `${CUSTOM_URN}:JobCode`, value: 'JC-9' })
export const flaggedCustomByUrn = patchBody({ op: 'replace', value: { [`${CUSTOM_URN}:JobCode`]: 'JC-9' } })
export const customByPlainName = patchBody({ op: 'Add', path: 'JobCode', value: 'JC-9' })
export const unregisteredCustom = patchBody(
  { op: 'Add', path: `${CUSTOM_URN}:RegionID`, value: 'EU-1' },
  { op: 'Add', path: 'CostCode', value: 'CC-1' },
)

/** Validator verbose request: roles by a string-boolean filter. */
export const validatorRolesPrimary = patchBody({ op: 'replace', path: 'roles[primary eq "True"].display', value: 'Reader' })

/** Legacy group-member removal shape, applied to a multi-valued User attribute. */
export const legacyRemoveWithValue = patchBody({ op: 'Remove', path: 'emails', value: [{ value: 'old@contoso.com' }] })

/** Logic App SCIM_Null_Update: "" then null empties the attributes. */
export const nullUpdate = patchBody(
  { op: 'replace', path: 'displayName', value: '' },
  { op: 'replace', path: 'title', value: null },
)
