import 'server-only'
import { notFound } from 'next/navigation'
import { NotFoundError } from '../services/errors'

/** What a page's URL names, or the not-found page when a service says it does not exist. */
export async function orNotFound<T>(load: Promise<T | null | undefined>): Promise<T> {
  try {
    const found = await load
    if (found === null || found === undefined) notFound()
    return found
  } catch (error) {
    if (error instanceof NotFoundError) notFound()
    throw error
  }
}
