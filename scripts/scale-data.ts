/**
 * The shape of the data `npm run seed:scale` generates, shared with `npm run bench:scale` so the benchmark can
 * name existing users without reading them first. Users are numbered globally (g = 1…total); every value is a
 * pure function of g, in SQL for the seed and in TypeScript here for the benchmark.
 */
import { createHash } from 'node:crypto'

export const SCALE_IDP_NAMES = ['Scale Entra', 'Scale Okta', 'Scale Generic'] as const
export const SCALE_DOMAINS = ['contoso.example', 'fabrikam.example', 'northwind.example'] as const
export const GIVEN_NAMES = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Emma',
  'Farid',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Kaito',
  'Lea',
  'Mateo',
  'Nora',
  'Omar',
  'Paula',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Ximena',
  'Yusuf',
  'Zoë',
  'Amelia',
  'Bruno',
  'Clara',
  'Diego',
  'Elif',
  'Felix',
  'Giulia',
  'Hamza',
  'Ida',
  'Jamal',
  'Kira',
  'Luca',
  'Maya',
  'Nils',
  'Olga',
  'Pedro',
]
export const FAMILY_NAMES = [
  'Müller',
  'Smith',
  'Garcia',
  'Nguyen',
  'Kowalski',
  'Rossi',
  'Jensen',
  'Tanaka',
  'Okafor',
  'Silva',
  'Novak',
  'Dubois',
  'Schmidt',
  'Johnson',
  'Martin',
  'Kim',
  'Haddad',
  'Larsen',
  'Moreau',
  'Fischer',
  'Lopez',
  'Ivanova',
  'Chen',
  'Patel',
  'Brown',
  'Wagner',
  'Costa',
  'Yilmaz',
  'Andersson',
  'Horvat',
  'Oliveira',
  'Becker',
  'Kumar',
  'Sato',
  'Meyer',
  'Ali',
  'Walker',
  'Nowak',
  'Lambert',
  'Vargas',
  'Hughes',
  'Berg',
  'Romano',
  'Ota',
  'Quinn',
  'Fontaine',
  'Weber',
]
export const TITLES = [
  'Engineer',
  'Senior Engineer',
  'Analyst',
  'Manager',
  'Director',
  'Consultant',
  'Designer',
  'Technician',
  'Planner',
  'Accountant',
]
export const DEPARTMENTS = [
  'Engineering',
  'Sales',
  'Marketing',
  'Finance',
  'Operations',
  'Support',
  'Legal',
  'HR',
  'Logistics',
  'Research',
]

/** Lower-case ASCII for the local part of an address, as directories usually derive it. */
const ascii = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase()

export function scaleUser(g: number, idpIndex: number) {
  const given = GIVEN_NAMES[g % GIVEN_NAMES.length]!
  const family = FAMILY_NAMES[(g * 7) % FAMILY_NAMES.length]!
  const userName = `${ascii(given)}.${ascii(family)}.${g}@${SCALE_DOMAINS[idpIndex]}`
  const md5 = (text: string) => createHash('md5').update(text).digest('hex')
  // Version 4 and variant bits set, as in sqlUuid: the portal accepts RFC 9562 UUIDs only.
  const uuid = (hex: string) =>
    `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`
  return {
    id: uuid(md5(`user${g}`)),
    userName,
    externalId: uuid(md5(`ext${g}`)),
    workEmail: userName,
    otherEmail: `${ascii(given)}${g}@mail.example`,
    employeeNumber: String(100000 + g),
  }
}

/** A version-4-shaped UUID derived from md5(text expression), the SQL twin of scaleUser's. */
export const sqlUuid = (expression: string) =>
  `(substr(md5(${expression}), 1, 12) || '4' || substr(md5(${expression}), 14, 3) || '8' || substr(md5(${expression}), 18, 15))::uuid`

/** SQL array literal of texts. */
export const sqlArray = (items: readonly string[]) => `ARRAY[${items.map((item) => `'${item.replace(/'/g, "''")}'`).join(',')}]`

/** The SQL twin of `ascii()` for names from the lists above (which contain é, ë and ü only). */
export const sqlAscii = (expression: string) => `lower(translate(${expression}, 'éëü', 'eeu'))`
