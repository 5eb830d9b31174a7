import 'server-only'

/** What a use case reports to its caller (portal action, CLI): the message is written for the operator. */
export class NotFoundError extends Error {}
export class ConflictError extends Error {}
