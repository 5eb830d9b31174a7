/**
 * SCIM errors, RFC 7644 §3.12. `status` is rendered as a string in the wire format.
 */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  /** RFC 9865 §2.1: a cursor this service provider did not hand out for this query. */
  | 'invalidCursor'

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'

export class ScimError extends Error {
  readonly status: number
  readonly scimType: ScimType | undefined

  constructor(status: number, detail: string, scimType?: ScimType) {
    super(detail)
    this.name = 'ScimError'
    this.status = status
    this.scimType = scimType
  }

  get detail(): string {
    return this.message
  }

  toJSON() {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    }
  }
}

export const invalidFilter = (detail: string) => new ScimError(400, detail, 'invalidFilter')
export const invalidValue = (detail: string) => new ScimError(400, detail, 'invalidValue')
export const invalidCursor = (detail: string) => new ScimError(400, detail, 'invalidCursor')
export const invalidPath = (detail: string) => new ScimError(400, detail, 'invalidPath')
export const invalidSyntax = (detail: string) => new ScimError(400, detail, 'invalidSyntax')
export const noTarget = (detail: string) => new ScimError(400, detail, 'noTarget')
export const mutability = (detail: string) => new ScimError(400, detail, 'mutability')
export const uniqueness = (detail: string) => new ScimError(409, detail, 'uniqueness')
export const notFound = (detail: string) => new ScimError(404, detail)
