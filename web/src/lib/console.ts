// The officers' workbench, apart from the UI: whose level a region is, review windows, bulk actions.
import { levelOf } from './regions'

/** An officer's level from the region of her token ("431222" → county). */
export function officerLevel(region: string | null | undefined): string | null {
  return region ? levelOf(region) : null
}

/** "还剩 2 天 3 小时" / "已超时 5 小时" until `due` (RFC 3339); '' without a due time. */
export function timeLeft(due: string | null | undefined, now: Date = new Date()): { text: string; late: boolean } {
  if (!due) return { text: '', late: false }
  const ms = new Date(due).getTime() - now.getTime()
  if (!Number.isFinite(ms)) return { text: '', late: false }
  const late = ms < 0
  const hours = Math.floor(Math.abs(ms) / 3_600_000)
  const span = hours >= 24 ? `${Math.floor(hours / 24)} 天 ${hours % 24} 小时` : hours >= 1 ? `${hours} 小时` : '不到 1 小时'
  return { text: late ? `已超时 ${span}` : `还剩 ${span}`, late }
}

/** A queue's count as shown: "100+" when the API has more than one page. */
export function countText(count: number, more: boolean): string {
  return more ? `${count}+` : String(count)
}

export interface BulkResult<K> { id: K; ok: boolean; error?: string }

/** Run `act` on each id in turn; one failure does not stop the rest. A result per id, in order. */
export async function runEach<K>(
  ids: K[],
  act: (id: K) => Promise<unknown>,
  describe: (error: unknown) => string,
  onResult?: (result: BulkResult<K>) => void,
): Promise<BulkResult<K>[]> {
  const results: BulkResult<K>[] = []
  for (const id of ids) {
    let result: BulkResult<K>
    try {
      await act(id)
      result = { id, ok: true }
    } catch (error) {
      result = { id, ok: false, error: describe(error) }
    }
    results.push(result)
    onResult?.(result)
  }
  return results
}

/** Wishes at risk first, then oldest first (by created_at). */
export function atRiskFirst<T extends { at_risk: boolean; created_at: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => Number(b.at_risk) - Number(a.at_risk) || a.created_at.localeCompare(b.created_at))
}

export const REJECT_REASONS = [
  '不属于微心愿帮扶范围',
  '信息不完整，请补充后重新提交',
  '与已有心愿重复',
  '已通过其他渠道解决',
]

/** A fraction 0–1 as a percentage for people: 0.8333 → "83.3%". */
export function percentText(fraction: number): string {
  const value = Math.round(fraction * 1000) / 10
  return `${value}%`
}

const CODE_LENGTHS = [2, 4, 6, 9, 12]

/** The region one level up ("431222250201" → "431222250"); null for a province. */
export function parentCode(code: string): string | null {
  const index = CODE_LENGTHS.indexOf(code.length)
  return index > 0 ? code.slice(0, CODE_LENGTHS[index - 1]) : null
}
