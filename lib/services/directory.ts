import { findUserById, findUsersByUpdate, type UserPosition } from '../db/directory'
import { env } from '../env'
import { isUuid } from '../scim/ids'
import { toDirectoryUser, type DirectoryUser } from './directory-users'
import { NotFoundError } from './errors'

/**
 * The directory API's reads. Users are listed oldest change first, keyset-paged on ("updatedAt", "id"): a
 * user changed while a consumer pages moves to the end of the order, so it is served again later in the same
 * pass (at least once, never missed). A change commits a moment after its "updatedAt" is taken, so a change
 * could otherwise commit behind a cursor that already moved past it; the list therefore serves only changes
 * older than DIRECTORY_SETTLE_MS, by which time every write transaction has finished. `next` is null once
 * the settled changes are exhausted; the consumer's next sync asks with `updatedSince` = the last user's
 * `updatedAt`.
 */

export class DirectoryCursorError extends Error {}

export function encodeUserCursor(position: UserPosition): string {
  return Buffer.from(`${position.updatedAt.getTime()}.${position.id}`).toString('base64url')
}

export function decodeUserCursor(cursor: string): UserPosition {
  const match =
    cursor.length <= 128 ? /^(\d{1,15})\.([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1')) : null
  const [, time, id] = match ?? []
  if (!time || !id || !isUuid(id)) throw new DirectoryCursorError('The cursor is not one this API returned.')
  return { updatedAt: new Date(Number(time)), id }
}

export type DirectoryUserListQuery = {
  providerId?: string
  updatedSince?: Date
  cursor?: string
  limit: number
  /** Defaults to DIRECTORY_SETTLE_MS. */
  settleMs?: number
}

export async function listDirectoryUsers(query: DirectoryUserListQuery): Promise<{ data: DirectoryUser[]; next: string | null }> {
  const rows = await findUsersByUpdate({
    providerId: query.providerId,
    updatedSince: query.updatedSince,
    after: query.cursor ? decodeUserCursor(query.cursor) : undefined,
    limit: query.limit + 1,
    settleMs: query.settleMs ?? env().DIRECTORY_SETTLE_MS,
  })
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  return { data: page.map(toDirectoryUser), next: rows.length > query.limit && last ? encodeUserCursor(last) : null }
}

export async function getDirectoryUser(userId: string): Promise<DirectoryUser> {
  const user = isUuid(userId) ? await findUserById(userId) : undefined
  if (!user) throw new NotFoundError(`No user '${userId}'.`)
  return toDirectoryUser(user)
}
