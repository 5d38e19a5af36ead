// The donor's 1+N basket (心愿篮): kept in localStorage, at most 25 wishes (the API's batch limit).

export const BASKET_LIMIT = 25
const KEY = 'mw.basket'

export interface BasketItem { id: string; title: string }
export interface BatchResult { wish_id: string; ok: boolean; status: number; detail?: string | null; state?: string | null }

export function addItem(items: BasketItem[], item: BasketItem): { items: BasketItem[]; added: boolean; reason?: string } {
  if (items.some((existing) => existing.id === item.id)) return { items, added: false, reason: '已在心愿篮中' }
  if (items.length >= BASKET_LIMIT) return { items, added: false, reason: `心愿篮最多放 ${BASKET_LIMIT} 个心愿` }
  return { items: [...items, item], added: true }
}

export function removeItems(items: BasketItem[], ids: Iterable<string>): BasketItem[] {
  const gone = new Set(ids)
  return items.filter((item) => !gone.has(item.id))
}

/** A refused all-or-nothing batch: which wishes blocked it, and which could still be claimed. */
export function splitRefusal(items: BasketItem[], results: BatchResult[]): { taken: BasketItem[]; rest: BasketItem[] } {
  const refused = new Set(results.filter((result) => !result.ok).map((result) => result.wish_id))
  return {
    taken: items.filter((item) => refused.has(item.id)),
    rest: items.filter((item) => !refused.has(item.id)),
  }
}

export function load(storage: Pick<Storage, 'getItem'> = localStorage): BasketItem[] {
  try {
    const parsed = JSON.parse(storage.getItem(KEY) || '[]')
    return Array.isArray(parsed) ? parsed.filter((x) => x && typeof x.id === 'string').slice(0, BASKET_LIMIT) : []
  } catch {
    return []
  }
}

export function save(items: BasketItem[], storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(KEY, JSON.stringify(items))
}
