import 'server-only'
import { env } from '../env'

/** The Tenant URL an admin pastes into the IdP; PUBLIC_URL decides its origin (reverse proxies). */
export function tenantUrlFor(providerId: string): string {
  return `${env().PUBLIC_URL}/scim/v2/enterprise-idps/${providerId}`
}
