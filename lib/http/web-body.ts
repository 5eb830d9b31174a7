/**
 * A Web Request's body, read up to `limit` + 1 bytes and no further: a caller that gets more than `limit` bytes
 * knows the body is too large without having buffered all of it.
 */
export async function readWebBody(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      break
    }
  }
  return Buffer.concat(chunks, size).subarray(0, limit + 1)
}

/** The bytes as UTF-8 text. */
export function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
}
