import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { BlockList, isIP, type LookupFunction } from 'node:net'

/**
 * Where the server may send requests on an admin's behalf (webhooks). Only http(s) URLs without credentials,
 * and only to public addresses: every address a host name resolves to is checked, and the connection goes to
 * the checked address (the agents' `lookup`), so a DNS answer that changes between check and connect (DNS
 * rebinding) cannot reach an internal service. `allowPrivate` (WEBHOOK_ALLOW_PRIVATE) opens loopback, private,
 * link-local and unique-local ranges for tests and on-premises receivers; cloud metadata addresses, multicast
 * and unspecified addresses stay refused even then.
 */

export const MAX_OUTBOUND_URL_LENGTH = 2048

export class OutboundUrlError extends Error {}

const never = new BlockList()
never.addAddress('169.254.169.254') // cloud metadata (AWS, GCP, Azure, OpenStack)
never.addAddress('fd00:ec2::254', 'ipv6') // AWS metadata over IPv6
never.addAddress('100.100.100.200') // Alibaba Cloud metadata
never.addSubnet('0.0.0.0', 8) // "this network", unspecified
never.addSubnet('224.0.0.0', 4) // multicast
never.addSubnet('240.0.0.0', 4) // reserved, broadcast
never.addAddress('::', 'ipv6')
never.addSubnet('ff00::', 8, 'ipv6') // multicast

/**
 * IPv4 embedded in IPv6 could name any IPv4 host behind a translator: refused outright. Checked only for
 * IPv6 addresses, in a list of their own: a BlockList matches IPv4 addresses against IPv4-mapped rules.
 */
const embeddedIpv4 = new BlockList()
embeddedIpv4.addSubnet('::ffff:0:0', 96, 'ipv6') // IPv4-mapped
embeddedIpv4.addSubnet('::', 96, 'ipv6') // IPv4-compatible (deprecated); ::1 and :: are judged on their own
embeddedIpv4.addSubnet('64:ff9b::', 96, 'ipv6') // NAT64
embeddedIpv4.addSubnet('64:ff9b:1::', 48, 'ipv6') // local-use NAT64
embeddedIpv4.addSubnet('2002::', 16, 'ipv6') // 6to4

const privateRanges = new BlockList()
privateRanges.addSubnet('127.0.0.0', 8) // loopback
privateRanges.addSubnet('10.0.0.0', 8)
privateRanges.addSubnet('172.16.0.0', 12)
privateRanges.addSubnet('192.168.0.0', 16)
privateRanges.addSubnet('100.64.0.0', 10) // carrier-grade NAT
privateRanges.addSubnet('169.254.0.0', 16) // link-local
privateRanges.addSubnet('192.0.0.0', 24) // IETF protocol assignments
privateRanges.addSubnet('192.0.2.0', 24) // documentation
privateRanges.addSubnet('198.18.0.0', 15) // benchmarking
privateRanges.addSubnet('198.51.100.0', 24)
privateRanges.addSubnet('203.0.113.0', 24)
privateRanges.addAddress('::1', 'ipv6') // loopback
privateRanges.addSubnet('fc00::', 7, 'ipv6') // unique-local
privateRanges.addSubnet('fe80::', 10, 'ipv6') // link-local
privateRanges.addSubnet('fec0::', 10, 'ipv6') // site-local (deprecated)
privateRanges.addSubnet('100::', 64, 'ipv6') // discard
privateRanges.addSubnet('2001:db8::', 32, 'ipv6') // documentation

/** Why the address may not be a webhook target, or null when it may. */
export function refusedAddressReason(address: string, allowPrivate: boolean): string | null {
  const family = isIP(address)
  if (family === 0) return `${address} is not an IP address.`
  const type = family === 4 ? 'ipv4' : 'ipv6'
  // One spelling per IPv6 address (0:0:0:0:0:0:0:1 is ::1), so the comparison below is exact.
  if (family === 6) address = new URL(`http://[${address}]`).hostname.slice(1, -1)
  const embedded = type === 'ipv6' && address !== '::1' && embeddedIpv4.check(address, type)
  if (never.check(address, type) || embedded) return `${address} is a reserved, multicast or cloud metadata address.`
  if (!allowPrivate && privateRanges.check(address, type)) {
    return `${address} is a private, loopback or link-local address (set WEBHOOK_ALLOW_PRIVATE=true to allow it).`
  }
  return null
}

/** The URL's host without the brackets of an IPv6 literal. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

/** Checks the form of an outbound URL (no network). Throws OutboundUrlError with a message for the admin. */
export function parseOutboundUrl(text: string, allowPrivate: boolean): URL {
  if (text.length > MAX_OUTBOUND_URL_LENGTH)
    throw new OutboundUrlError(`The URL is longer than ${MAX_OUTBOUND_URL_LENGTH} characters.`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new OutboundUrlError('Not a valid URL.')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OutboundUrlError('Only http and https URLs can receive webhooks.')
  if (url.username || url.password) throw new OutboundUrlError('The URL may not contain a user name or password.')
  if (!url.hostname) throw new OutboundUrlError('The URL has no host.')
  if (url.hash) throw new OutboundUrlError('The URL may not contain a fragment (#...).')
  const host = hostOf(url)
  if (isIP(host)) {
    const reason = refusedAddressReason(host, allowPrivate)
    if (reason) throw new OutboundUrlError(reason)
  } else if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || !host.includes('.'))) {
    throw new OutboundUrlError(`${host} is not a public host name (set WEBHOOK_ALLOW_PRIVATE=true to allow it).`)
  }
  return url
}

type Resolver = (hostname: string) => Promise<LookupAddress[]>

const resolveAll: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  )

/** Every address of the host, each checked; refuses the host when any of them is refused. */
export async function checkedAddresses(
  hostname: string,
  allowPrivate: boolean,
  resolver: Resolver = resolveAll,
): Promise<LookupAddress[]> {
  if (isIP(hostname)) {
    const reason = refusedAddressReason(hostname, allowPrivate)
    if (reason) throw new OutboundUrlError(reason)
    return [{ address: hostname, family: isIP(hostname) }]
  }
  let addresses: LookupAddress[]
  try {
    addresses = await resolver(hostname)
  } catch (error) {
    throw new OutboundUrlError(
      `The host ${hostname} could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'DNS error'}).`,
    )
  }
  if (addresses.length === 0) throw new OutboundUrlError(`The host ${hostname} has no address.`)
  for (const { address } of addresses) {
    const reason = refusedAddressReason(address, allowPrivate)
    if (reason) throw new OutboundUrlError(`${hostname} resolves to ${reason}`)
  }
  return addresses
}

/** Checks a URL as it is registered: its form, and every address its host resolves to now. */
export async function validateOutboundUrl(text: string, allowPrivate: boolean, resolver?: Resolver): Promise<URL> {
  const url = parseOutboundUrl(text, allowPrivate)
  await checkedAddresses(hostOf(url), allowPrivate, resolver)
  return url
}

/**
 * The agents outbound requests use: keep-alive, and a `lookup` that resolves, checks every address and
 * connects to a checked one. Node skips `lookup` for IP literals, which `parseOutboundUrl` checks instead.
 */
export function createOutboundAgents(allowPrivate: boolean, resolver?: Resolver) {
  const lookup: LookupFunction = (hostname, options, callback) => {
    checkedAddresses(hostname, allowPrivate, resolver).then(
      (addresses) => {
        const wanted =
          options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses
        const chosen = wanted.length > 0 ? wanted : addresses
        if (options.all) callback(null, chosen)
        else callback(null, chosen[0]!.address, chosen[0]!.family)
      },
      (error: Error) => callback(Object.assign(error, { code: 'EREFUSEDADDRESS' }) as NodeJS.ErrnoException, '', 0),
    )
  }
  const options = { keepAlive: true, maxSockets: 64, lookup }
  return { http: new http.Agent(options), https: new https.Agent(options) }
}
