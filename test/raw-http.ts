import { connect } from 'node:net'

export type RawReply = { status: number; headers: Record<string, string>; body: string; raw: string }

/**
 * Sends bytes exactly as given over a TCP socket and reads until the server closes the connection or a
 * complete response has arrived. Rejects when nothing complete arrives within `timeoutMs`: an unanswered
 * request is what these tests exist to catch.
 */
export function rawRequest(port: number, payload: string | Buffer, timeoutMs = 5000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new Error(`No complete answer within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`),
      )
    }, timeoutMs)
    const finish = () => {
      const reply = parse(Buffer.concat(chunks).toString('utf8'))
      if (!reply) return false
      clearTimeout(timer)
      socket.destroy()
      resolve(reply)
      return true
    }
    socket.on('data', (chunk) => {
      chunks.push(chunk)
      finish()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      if (!finish()) {
        clearTimeout(timer)
        reject(
          new Error(`Connection closed without a complete answer: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`),
        )
      }
    })
    socket.write(payload)
  })
}

function parse(raw: string): RawReply | undefined {
  const headerEnd = raw.indexOf('\r\n\r\n')
  if (headerEnd === -1) return undefined
  const [statusLine = '', ...lines] = raw.slice(0, headerEnd).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const body = raw.slice(headerEnd + 4)
  const length = headers['content-length']
  if (length !== undefined && Buffer.byteLength(body) < Number(length)) return undefined
  if (length === undefined && headers['transfer-encoding'] === 'chunked' && !body.endsWith('0\r\n\r\n')) return undefined
  return { status: Number(statusLine.split(' ')[1]), headers, body, raw }
}
