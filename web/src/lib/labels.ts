// Chinese names of the API's codes (categories and groups are data: /meta when the API has it).

export const CATEGORIES: Record<string, string> = {
  goods: '添一物', skill: '送一技', yard: '扫一院', study: '助一学', care: '暖一心',
}
export const GROUPS: Record<string, string> = {
  women_in_hardship: '困难妇女', disabled_women: '残疾妇女', left_behind_women: '留守妇女',
  children_in_hardship: '困境儿童', left_behind_children: '留守儿童', de_facto_orphans: '事实孤儿',
  elderly_alone: '独居老人', disabled: '残疾人',
}
export const LEVELS: Record<string, string> = {
  village: '村', township: '乡镇', county: '县', city: '市', province: '省',
}
export const STATUSES: Record<string, string> = {
  submitted: '待审核', open: '待认领', assigned: '已派单', claimed: '已认领', delivered: '已送达',
  fulfilled: '已圆梦', rejected: '未通过', cancelled: '已取消',
}
export const CLAIM_STATUSES: Record<string, string> = {
  offered: '待接受', active: '进行中', refund_due: '待退款', delivered: '已送达', fulfilled: '已圆梦', withdrawn: '已撤回', lapsed: '已过期',
  cancelled: '已取消', assigned: '已派单', declined: '已谢绝',
}
export const MODES: Record<string, string> = { sole: '1+1', pooled: 'N+1' }
export const MODE_HINTS: Record<string, string> = { sole: '一人认领', pooled: '多人众筹' }

export function label(table: Record<string, string>, code: string | null | undefined): string {
  if (!code) return ''
  return table[code] ?? code
}

/** "3 天" / "5 小时" since an RFC 3339 time. */
export function waited(since: string, now: Date = new Date()): string {
  const ms = now.getTime() - new Date(since).getTime()
  if (!Number.isFinite(ms) || ms < 0) return '刚刚'
  const hours = Math.floor(ms / 3_600_000)
  if (hours < 1) return '不到 1 小时'
  if (hours < 48) return `${hours} 小时`
  return `${Math.floor(hours / 24)} 天`
}

export function dateTime(text: string | null | undefined): string {
  if (!text) return ''
  const d = new Date(text)
  if (Number.isNaN(d.getTime())) return text
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** The audit trail's actions (one vocabulary with the inbox's events). */
export const ACTIONS: Record<string, string> = {
  submitted: '提交', approved: '审核通过', rejected: '审核未通过', claimed: '认领', pledged: '认捐', withdrawn: '撤回认领',
  assigned: '派单', accepted: '接单', declined: '谢绝派单', delivered: '送达', fulfilled: '确认圆梦',
  delivery_rejected: '送达被退回', escalated: '升级', at_risk: '标记急需', reminder: '提醒', lapsed: '认领过期',
  cancelled: '取消', erased: '删除个人信息', campaign_joined: '加入专场',
}
