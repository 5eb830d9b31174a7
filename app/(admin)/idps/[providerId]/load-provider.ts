import 'server-only'
import { getIdentityProvider } from '@/lib/services/identity-providers'
import { orNotFound } from '@/lib/portal/not-found'

/** The provider named by a page's URL, or the not-found page. */
export async function loadProvider(providerId: string) {
  return orNotFound(getIdentityProvider(providerId))
}
