import { compatRules, type CompatLog } from '../compat'
import { invalidSyntax, invalidValue, noTarget } from '../errors'
import { scimLimits } from '../limits'
import { isPlainObject } from '../json'

/** RFC 7644 §3.5.2: the PatchOp message schema. */
export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'

export type PatchOperationName = 'add' | 'replace' | 'remove'

/** One operation in RFC form: lowercase `op`, a trimmed `path` or none, and the value as sent. */
export type PatchOperation = {
  op: PatchOperationName
  path?: string
  value?: unknown
}

const OPERATION_NAMES = new Set<string>(['add', 'replace', 'remove'])

/**
 * Reads a PatchOp body into RFC operations. Lenient where Entra differs and nothing is ambiguous: `schemas`
 * is not checked, `Operations`/`op`/`path`/`value` keys match in any case, and `op` is read in any case
 * ("Add", "Replace", "Remove" in Entra's legacy mode).
 */
export function normalizePatchBody(body: unknown, compat: CompatLog): PatchOperation[] {
  if (!isPlainObject(body)) throw invalidSyntax('The PATCH body must be a JSON object (RFC 7644 §3.5.2).')
  const operations = field(body, 'Operations', compat)
  if (operations === undefined) throw invalidSyntax("The PATCH body needs an 'Operations' array (RFC 7644 §3.5.2).")
  if (!Array.isArray(operations)) throw invalidSyntax("'Operations' must be an array (RFC 7644 §3.5.2).")
  if (operations.length > scimLimits.maxPatchOperations) {
    throw invalidValue(
      `'Operations' has ${operations.length} operations; the limit is ${scimLimits.maxPatchOperations} operations per PATCH request.`,
    )
  }
  return operations.map((operation, index) => normalizeOperation(operation, index + 1, compat))
}

function normalizeOperation(raw: unknown, position: number, compat: CompatLog): PatchOperation {
  if (!isPlainObject(raw)) throw invalidSyntax(`Operation ${position} must be an object with 'op', 'path' and 'value'.`)
  const op = readOperationName(field(raw, 'op', compat), position, compat)
  const path = readPath(field(raw, 'path', compat), position)
  const hasValue = Object.keys(raw).some((key) => key.toLowerCase() === 'value')
  const value = field(raw, 'value', compat)
  // RFC 7644 §3.5.2.2: "If 'path' is unspecified, the operation fails with HTTP status code 400 and a
  // 'scimType' error code of 'noTarget'."
  if (op === 'remove' && path === undefined) {
    throw noTarget(`Operation ${position}: 'remove' needs a 'path' (RFC 7644 §3.5.2.2).`)
  }
  // RFC 7644 §3.5.2.1/§3.5.2.3: "value" is required for add and replace (it may be null: clear the attribute).
  if (op !== 'remove' && !hasValue) throw invalidValue(`Operation ${position}: '${op}' needs a 'value'.`)
  return { op, ...(path === undefined ? {} : { path }), ...(hasValue ? { value } : {}) }
}

function readOperationName(value: unknown, position: number, compat: CompatLog): PatchOperationName {
  const name = typeof value === 'string' ? value.trim() : undefined
  const lower = name?.toLowerCase()
  if (!name || !lower || !OPERATION_NAMES.has(lower)) {
    throw invalidSyntax(`Operation ${position}: 'op' must be 'add', 'replace' or 'remove' (RFC 7644 §3.5.2).`)
  }
  if (name !== lower) compat.add(compatRules.opNameCase)
  return lower as PatchOperationName
}

function readPath(value: unknown, position: number): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw invalidSyntax(`Operation ${position}: 'path' must be a string.`)
  const trimmed = value.trim()
  return trimmed === '' ? undefined : trimmed
}

/** A member matched case-insensitively (RFC 7643 §2.1), reporting a case difference. */
function field(object: Record<string, unknown>, name: string, compat: CompatLog): unknown {
  if (Object.hasOwn(object, name)) return object[name]
  const lower = name.toLowerCase()
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower)
  if (key === undefined) return undefined
  // Lowercase `op`/`path`/`value` is the RFC spelling; only `operations` differs from `Operations`.
  if (key !== lower || name !== lower) compat.add(compatRules.attributeNameCase)
  return object[key]
}
