import { getDb } from './client'
import type { AttributeType } from './generated/enums'

export function listCustomAttributes(providerId: string) {
  return getDb().customAttribute.findMany({ where: { providerId }, orderBy: { nameLower: 'asc' } })
}

export function insertCustomAttribute(data: { providerId: string; name: string; type: AttributeType; description: string }) {
  return getDb().customAttribute.create({ data: { ...data, nameLower: data.name.toLowerCase() } })
}

export function updateCustomAttribute(
  providerId: string,
  name: string,
  data: { type?: AttributeType; description?: string },
) {
  return getDb().customAttribute.update({
    where: { providerId_nameLower: { providerId, nameLower: name.toLowerCase() } },
    data,
  })
}

export function deleteCustomAttribute(providerId: string, name: string) {
  return getDb().customAttribute.deleteMany({ where: { providerId, nameLower: name.toLowerCase() } })
}
