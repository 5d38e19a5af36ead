import { describe, expect, it } from 'vitest'
import { BASKET_LIMIT, addItem, load, removeItems, save, splitRefusal } from '../src/lib/basket'

function memory() {
  const data: Record<string, string> = {}
  return { getItem: (k: string) => data[k] ?? null, setItem: (k: string, v: string) => { data[k] = v } }
}

describe('the basket', () => {
  it('adds each wish once, up to the batch limit', () => {
    let items = addItem([], { id: 'a', title: 'A' }).items
    expect(addItem(items, { id: 'a', title: 'A' }).added).toBe(false)
    for (let i = 1; i < BASKET_LIMIT; i++) items = addItem(items, { id: `w${i}`, title: '' }).items
    expect(items).toHaveLength(BASKET_LIMIT)
    const over = addItem(items, { id: 'z', title: 'Z' })
    expect(over.added).toBe(false)
    expect(over.reason).toContain(String(BASKET_LIMIT))
  })
  it('says which were taken and keeps the rest', () => {
    const items = [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }, { id: 'c', title: 'C' }]
    const split = splitRefusal(items, [{ wish_id: 'b', ok: false, status: 409, state: 'claimed' }])
    expect(split.taken.map((i) => i.id)).toEqual(['b'])
    expect(split.rest.map((i) => i.id)).toEqual(['a', 'c'])
  })
  it('removes and survives storage', () => {
    const storage = memory()
    save(removeItems([{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }], ['a']), storage)
    expect(load(storage)).toEqual([{ id: 'b', title: 'B' }])
    storage.setItem('mw.basket', 'not json')
    expect(load(storage)).toEqual([])
  })
})
