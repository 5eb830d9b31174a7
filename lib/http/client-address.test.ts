import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { clientAddressOf, trustFor } from './client-address'

const req = (peer: string | undefined, forwardedFor?: string) =>
  ({
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    socket: { remoteAddress: peer },
  }) as unknown as IncomingMessage

describe('clientAddressOf', () => {
  it.each([
    ['no proxy: the TCP peer, whatever X-Forwarded-For says', { hops: 0 }, '10.0.0.5', '203.0.113.9', '10.0.0.5'],
    ['one hop: the rightmost forwarded address', { hops: 1 }, '10.0.0.5', '6.6.6.6, 203.0.113.9', '203.0.113.9'],
    ['two hops', { hops: 2 }, '10.0.0.5', '6.6.6.6, 203.0.113.9, 10.0.0.4', '203.0.113.9'],
    ['more hops than entries: the leftmost there is', { hops: 5 }, '10.0.0.5', '203.0.113.9', '203.0.113.9'],
    ['one hop but no header: the peer', { hops: 1 }, '10.0.0.5', undefined, '10.0.0.5'],
    [
      'listed proxies are skipped from the right',
      { proxies: ['10.0.0.0/8'] },
      '10.0.0.5',
      '6.6.6.6, 203.0.113.9, 10.1.2.3',
      '203.0.113.9',
    ],
    [
      'a peer that is not a listed proxy is the client',
      { proxies: ['10.0.0.0/8'] },
      '198.51.100.1',
      '203.0.113.9',
      '198.51.100.1',
    ],
    ['loopback by name', { proxies: ['loopback'] }, '127.0.0.1', '203.0.113.9', '203.0.113.9'],
    ['garbage in the header is not an address to trust past', { proxies: ['10.0.0.0/8'] }, '10.0.0.5', 'x, <script>', '<script>'],
  ])('%s', (_name, setting, peer, forwardedFor, expected) => {
    expect(clientAddressOf(req(peer, forwardedFor), trustFor(setting))).toBe(expected)
  })

  it('knows no address without a socket peer', () => {
    expect(clientAddressOf(req(undefined, '203.0.113.9'), trustFor({ hops: 1 }))).toBeUndefined()
  })
})
