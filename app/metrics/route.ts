import { answerOpsRequest } from '@/lib/ops/endpoints'

// Under `npm start` the production server answers /metrics before Next (lib/http/scim-node.ts); this route serves `next dev`.
export const dynamic = 'force-dynamic'

export async function GET(request: Request) {
  const answer = await answerOpsRequest('/metrics', 'GET', request.headers.get('authorization'))
  return new Response(answer.body, { status: answer.status, headers: answer.headers })
}
