import 'server-only'
import { notFound } from 'next/navigation'
import { getIdentityProvider } from '@/lib/services/identity-providers'
import { NotFoundError } from '@/lib/services/errors'

/** The provider named by a page's URL, or the not-found page. */
export async function loadProvider(providerId: string) {
  try {
    return await getIdentityProvider(providerId)
  } catch (error) {
    if (error instanceof NotFoundError) notFound()
    throw error
  }
}
