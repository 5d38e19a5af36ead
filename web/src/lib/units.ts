// Organizations (issue 12) apart from the UI: the words for unit kinds, roles and quota status; the
// labour and service categories that take volunteers; small helpers the unit pages share.
import type { Schemas } from '../api/client'

export type UnitKind = Schemas['UnitRequest']['kind']

export const UNIT_KINDS: Record<UnitKind, string> = {
  federation: '妇联组织',
  party_branch: '党支部',
  party_organ: '机关党组织',
  volunteer_association: '志愿者协会',
  charity_association: '义工协会',
  women_entrepreneurs: '女企业家协会',
  company: '爱心企业',
  hospital: '医院',
  civilised_post: '巾帼文明岗',
  red_banner_collective: '三八红旗集体',
}
export const UNIT_KIND_CODES = Object.keys(UNIT_KINDS) as UnitKind[]

export const MEMBER_ROLES: Record<string, string> = { admin: '管理员', member: '成员' }

export const QUOTA_STATUSES: Record<string, string> = { below: '未达标', met: '已达标', no_quota: '无要求' }

export const SIGNUP_STATUSES: Record<string, string> = { signed_up: '已报名', checked_in: '已签到' }

/** Labour and service wishes (扫一院, 送一技, 暖一心): the ones that may ask for volunteers. */
export const WORK_CATEGORIES = ['yard', 'skill', 'care']

export function isWorkWish(category: string | null | undefined): boolean {
  return WORK_CATEGORIES.includes(category || '')
}

/** The year in China (the quota's year), and the few years an officer looks back on. */
export function chinaYear(now: Date = new Date()): number {
  return new Date(now.getTime() + 8 * 3_600_000).getUTCFullYear()
}
export function recentYears(now: Date = new Date(), count = 4): number[] {
  const year = chinaYear(now)
  return Array.from({ length: count }, (_, i) => year - i)
}

/** Hours as people say them: 4 → "4 小时", 2.5 → "2.5 小时". */
export function hoursText(hours: number | null | undefined): string {
  if (hours == null) return '—'
  return `${Math.round(hours * 10) / 10} 小时`
}

/** One honour per line or separated by commas / 、 → the API's list (blank ones dropped). */
export function splitHonours(text: string): string[] {
  return text.split(/[\n,，、;；]+/).map((h) => h.trim()).filter(Boolean)
}

/** Compliance rows of one status ('' = all), below first as the API gives them. */
export function filterCompliance<T extends { status: string; name: string }>(items: T[], status: string, text = ''): T[] {
  const needle = text.trim()
  return items.filter((row) => (!status || row.status === status) && (!needle || row.name.includes(needle)))
}
