/**
 * Problem details (RFC 9457) for the directory API: every error answer is `application/problem+json` with
 * `type`, `title`, `status` and `detail`; validation failures add `errors: [{ field, message }]`.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** The `type` URIs are relative references resolved against the API's base: they name the problem, nothing more. */
const PROBLEM_TYPES = {
  400: ['invalid-request', 'Invalid request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  429: ['rate-limited', 'Too many requests'],
  500: ['internal-error', 'Internal server error'],
  503: ['unavailable', 'Service unavailable'],
} as const satisfies Record<number, readonly [string, string]>

export type ProblemStatus = keyof typeof PROBLEM_TYPES

export type FieldError = { field: string; message: string }

export type Problem = {
  type: string
  title: string
  status: ProblemStatus
  detail: string
  errors?: FieldError[]
}

export class ProblemError extends Error {
  constructor(
    readonly status: ProblemStatus,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string>; type?: string; title?: string } = {},
  ) {
    super(detail)
  }

  toJSON(): Problem {
    const [slug, title] = PROBLEM_TYPES[this.status]
    return {
      type: `/api/v1/problems/${this.extra.type ?? slug}`,
      title: this.extra.title ?? title,
      status: this.status,
      detail: this.detail,
      ...(this.extra.errors ? { errors: this.extra.errors } : {}),
    }
  }
}

export const PROBLEM_STATUSES = Object.keys(PROBLEM_TYPES).map(Number) as ProblemStatus[]
