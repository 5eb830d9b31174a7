import { AttributeType, IdpKind, OperatorRole, RequestOperation, UserSource } from './generated/enums'

/**
 * The value lists of the database's enums, derived from the generated client: the one list services, zod
 * schemas and the portal use, so a new enum value is one schema change. Importable from client code (no
 * server-only): the generated enums module is plain constants.
 */

type NonEmpty<T> = readonly [T, ...T[]]

const valuesOf = <T extends string>(values: Record<string, T>) => Object.values(values) as unknown as NonEmpty<T>

export const idpKinds = valuesOf(IdpKind)
export const attributeTypes = valuesOf(AttributeType)
export const userSources = valuesOf(UserSource)
export const operatorRoles = valuesOf(OperatorRole)
export const requestOperations = valuesOf(RequestOperation)

export type { AttributeType, IdpKind, OperatorRole, RequestOperation, UserSource }
