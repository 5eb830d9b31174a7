/** Portal downloads (log and audit exports): one way to refuse a filter, one way to stream the file. */

/**
 * A 400 naming each filter field that could not be read, or null. An export that silently widened a filter
 * it could not read would hand out the wrong records.
 */
export function unreadableFilterResponse(errors: Record<string, string>): Response | null {
  const problems = Object.entries(errors).map(([field, message]) => `${field}: ${message}`)
  if (problems.length === 0) return null
  return new Response(`The filter was not exported.\n${problems.join('\n')}\n`, { status: 400 })
}

/** Streams text chunks as an attachment; an abandoned download ends the generator (which audits it). */
export function downloadResponse(chunks: AsyncGenerator<string>, format: 'csv' | 'json', basename: string): Response {
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    async cancel() {
      await chunks.return(undefined)
    },
  })
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')
  return new Response(body, {
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${basename}-${stamp}.${format}"`,
      'cache-control': 'no-store',
    },
  })
}
