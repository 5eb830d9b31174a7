import { env } from '@/lib/env'
import { buildOpenApiDocument } from '@/lib/http/directory-openapi'
import { directoryJson } from '@/lib/http/directory-route'

// GET /api/v1/openapi.json – the API's OpenAPI 3.1 document (public: it holds no data)
export async function GET() {
  return directoryJson(200, buildOpenApiDocument(env().PUBLIC_URL))
}
