/** SCIM PATCH, RFC 7644 §3.5.2: path parsing, normalisation of IdP shapes, and atomic application. */
export { applyPatch } from './apply'
export { normalizePatchBody, PATCH_OP_URN, type PatchOperation, type PatchOperationName } from './normalize'
export { parsePatchPath, type PatchPath } from './parse-path'
