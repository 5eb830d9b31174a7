import { unsupportedResource } from '@/lib/http/unsupported'

// Any other path (/Groups, /Bulk, /Me, …) – a SCIM error saying that only users are provisioned
export const GET = unsupportedResource
export const POST = unsupportedResource
export const PUT = unsupportedResource
export const PATCH = unsupportedResource
export const DELETE = unsupportedResource
