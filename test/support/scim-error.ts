import { expect } from 'vitest'
import { ScimError } from '@/lib/scim/errors'

/** The ScimError `run` throws; fails the test when it returns, or throws anything else. */
export function scimErrorOf(run: () => unknown): ScimError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError)
    return error as ScimError
  }
  throw new Error('expected a ScimError, but nothing was thrown')
}

/**
 * Asserts that `run` throws a ScimError with this status (and scimType, when given: RFC 7644 §3.12), and
 * returns it so the caller can check its detail.
 */
export function expectScimError(run: () => unknown, status: number, scimType?: string): ScimError {
  const error = scimErrorOf(run)
  expect(error.status).toBe(status)
  if (scimType !== undefined) expect(error.scimType).toBe(scimType)
  return error
}
