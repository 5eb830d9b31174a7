import {
  findEventsAfter,
  findEventsOfUser,
  insertUserEvents,
  type DeletionEventHead,
  type EventPosition,
  type StoredUserEvent,
} from '../db/events'
import { uuidv7 } from '../uuidv7'
import type { UserEventOfWrite, UserRow } from '../db/users'
import { redactChanges } from '../redact'
import type { AttributeChange } from '../scim/diff'
import { toDirectoryUser, type DirectoryUser } from './directory-users'

/**
 * User events: what the rest of TraffiTech learns about provisioning. Each change to a user records its
 * event with `recordUserEvent` inside the transaction of the change (the outbox), so an event exists if and
 * only if its change committed. Consumers read them through the events API or receive them as webhooks.
 */

export const USER_EVENT_TYPES = [
  'user.created',
  'user.linked',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
] as const

export type UserEventType = (typeof USER_EVENT_TYPES)[number]

export function isUserEventType(value: string): value is UserEventType {
  return (USER_EVENT_TYPES as readonly string[]).includes(value)
}

export type UserEvent = {
  id: string
  type: UserEventType
  createdAt: string
  providerId: string
  data: { user: DirectoryUser; changes: AttributeChange[] }
}

/** Which event a user write is: the operations of the SCIM service and the portal map onto these. */
export const EVENT_TYPE_OF_OPERATION = {
  create: 'user.created',
  link: 'user.linked',
  update: 'user.updated',
  deactivate: 'user.deactivated',
  reactivate: 'user.reactivated',
  delete: 'user.deleted',
} as const satisfies Record<string, UserEventType>

/**
 * The event of a write of type `type`, built from the row as the write leaves it (for a deletion: the user as
 * it was). Pass it to the lib/db write, which records it in the same statement. An update that changed
 * nothing has no event (a link always changes who manages the account, so it always has one).
 */
export function userEventOf(type: UserEventType, changes: AttributeChange[]): UserEventOfWrite {
  return (user) => {
    if (changes.length === 0 && type === 'user.updated') return undefined
    const now = new Date()
    const event: UserEvent = {
      id: newEventId(now),
      type,
      createdAt: now.toISOString(),
      providerId: user.providerId,
      data: { user: toDirectoryUser(user), changes: redactChanges(changes) },
    }
    return { id: event.id, type, providerId: user.providerId, userId: user.id, createdAt: now, payload: event }
  }
}

/**
 * A deletion's event, but for its user: the statement that deletes the user fills that in as it was, in the
 * envelope userEventOf builds (lib/db/events.ts insertDeletionEventFromSql).
 */
export function deletionEventHead(): DeletionEventHead {
  const now = new Date()
  return { id: newEventId(now), type: 'user.deleted' satisfies UserEventType, createdAt: now }
}

function newEventId(now: Date): string {
  return `evt_${uuidv7(now.getTime()).replaceAll('-', '')}`
}

/**
 * Records that `user` changed, for writes that are not one lib/db statement: call it inside `withTransaction`,
 * after the write, so it commits or rolls back with the change.
 */
export async function recordUserEvent(type: UserEventType, user: UserRow, changes: AttributeChange[]): Promise<void> {
  const event = userEventOf(type, changes)(user)
  if (event) await insertUserEvents([event])
}

/** The cursor is opaque to consumers: the position of the last event they have seen. */
export class EventCursorError extends Error {}

export function encodeEventCursor(position: EventPosition): string {
  return Buffer.from(`${position.txid}.${position.seq}`).toString('base64url')
}

export function decodeEventCursor(cursor: string): EventPosition {
  const match = cursor.length <= 64 ? /^(\d{1,19})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1')) : null
  const [, txid, seq] = match ?? []
  if (!txid || !seq) throw new EventCursorError('The cursor is not one this API returned.')
  return { txid: BigInt(txid), seq: BigInt(seq) }
}

export type EventListQuery = {
  after?: string
  limit: number
  providerId?: string
  types?: readonly UserEventType[]
}

/**
 * Committed events after the cursor, oldest first. `next` is always a cursor: when nothing new has committed
 * it is the one passed in, so a consumer polls with it until events arrive.
 */
export async function listEvents(query: EventListQuery): Promise<{ data: UserEvent[]; next: string }> {
  const after = query.after ? decodeEventCursor(query.after) : null
  const events = await findEventsAfter({ after, limit: query.limit, providerId: query.providerId, types: query.types })
  const last = events.at(-1)
  const next = last ? encodeEventCursor(last) : (query.after ?? encodeEventCursor({ txid: 0n, seq: 0n }))
  return { data: events.map(payloadOf), next }
}

/** A user's latest events, newest first, for the portal's user page. */
export async function listEventsOfUser(userId: string, limit = 50): Promise<UserEvent[]> {
  return (await findEventsOfUser(userId, limit)).map(payloadOf)
}

function payloadOf(event: StoredUserEvent): UserEvent {
  return event.payload as UserEvent
}
