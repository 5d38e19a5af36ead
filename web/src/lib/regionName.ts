// A region's name from its code (GET /regions of its parent), remembered for the visit: units and the
// compliance rows carry codes only.
import { reactive } from 'vue'
import { api, call } from '../api/client'
import { parentCode } from './console'
import { shortCode } from './regions'

export const regionNames = reactive<Record<string, string>>({})
const asked = new Map<string, Promise<void>>()

/** Ask once per parent; `regionNames[short code]` fills in when the answer comes (the code stays if it fails). */
export function lookUpRegion(code: string | null | undefined): void {
  if (!code) return
  const short = shortCode(code)
  const parent = parentCode(short) || ''
  if (regionNames[short] || asked.has(parent)) return
  asked.set(parent, call(api().GET('/regions', { params: { query: parent ? { parent } : {} } }))
    .then((list) => { for (const r of list.items) regionNames[shortCode(r.code)] = r.name })
    .catch(() => { asked.delete(parent) }))
}

export function regionText(code: string | null | undefined): string {
  if (!code) return ''
  return regionNames[shortCode(code)] || code
}
