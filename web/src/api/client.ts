// The one typed client of the API: types generated from GET /openapi.json (src/api/schema.d.ts).
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'
import { config } from '../lib/config'
import { session, signOut } from '../lib/session'

export type Schemas = components['schemas']
export type Wish = Schemas['WishPublicView']
export type PrivateWish = Schemas['WishPrivateView']
export type Claim = Schemas['ClaimView']
export type Notification = Schemas['NotificationView']

export const TIMEOUT_MS = 15_000

export interface ProblemEntry { field: string; message: string; type?: string }
export interface Problem {
  type?: string; title?: string; status: number; detail?: string; errors?: ProblemEntry[]
  state?: string; remaining_fen?: number; results?: Schemas['BatchResult'][]; [key: string]: unknown
}

/** What went wrong with a call: `offline` and `server` are worth a retry; `problem` is the API's answer. */
export class ApiError extends Error {
  constructor(
    public kind: 'offline' | 'timeout' | 'server' | 'problem',
    public status: number,
    public problem: Problem | null = null,
  ) {
    super(problem?.detail || problem?.title || kind)
  }
  get retryable(): boolean {
    return this.kind !== 'problem'
  }
}

function timedFetch(input: Request): Promise<Response> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS)
  return fetch(new Request(input, { signal: controller.signal })).finally(() => clearTimeout(timer))
}

const auth: Middleware = {
  onRequest({ request }) {
    if (session.token) request.headers.set('Authorization', `Bearer ${session.token}`)
    return request
  },
}

let client: ReturnType<typeof createClient<paths>> | null = null

export function api() {
  if (!client) {
    client = createClient<paths>({ baseUrl: config().api_base || location.origin, fetch: timedFetch })
    client.use(auth)
  }
  return client
}

/** Await an openapi-fetch call: its data, or an ApiError (a 401 also ends the session). */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response }
  try {
    result = await request
  } catch (error) {
    const aborted = error instanceof DOMException && error.name === 'AbortError'
    throw new ApiError(aborted ? 'timeout' : 'offline', 0)
  }
  const { response } = result
  if (response.ok) return result.data as T
  if (response.status >= 500) throw new ApiError('server', response.status)
  const problem = (result.error && typeof result.error === 'object' ? result.error : { status: response.status }) as Problem
  if (response.status === 401) signOut()
  throw new ApiError('problem', response.status, problem)
}

/** An untyped GET for routes other helpers may add (e.g. /meta): null when it is not there. */
export async function getOptional<T>(path: string): Promise<T | null> {
  try {
    const response = await timedFetch(new Request((config().api_base || location.origin) + path))
    return response.ok ? ((await response.json()) as T) : null
  } catch {
    return null
  }
}

/** Words for people: what an error means and what to do. */
export function describe(error: unknown): string {
  if (!(error instanceof ApiError)) return '出了点问题，请重试'
  if (error.kind === 'offline') return '网络连接中断，请检查网络后重试'
  if (error.kind === 'timeout') return '网络太慢，请求超时，请重试'
  if (error.kind === 'server') return `服务暂时不可用（${error.status}），请稍后重试`
  const p = error.problem
  switch (error.status) {
    case 401: return '请先登录'
    case 403: return '您没有权限进行此操作'
    case 404: return '没有找到这个心愿'
    case 409: return conflictWords(p)
    case 429: return '操作太频繁，请稍后再试'
    default: return p?.detail ? `提交的内容有误：${p.detail}` : '提交的内容有误'
  }
}

export function conflictWords(p: Problem | null): string {
  const detail = p?.detail || ''
  if (/active claims/.test(detail)) return '您进行中的认领已达上限，请先完成或撤回一个'
  if (typeof p?.remaining_fen === 'number' && p.remaining_fen > 0 && (p.state === 'open' || /remain/.test(detail))) {
    return `认捐金额超过剩余所需，目前只剩 ¥${(p.remaining_fen / 100).toFixed(2).replace(/\.00$/, '')}`
  }
  if (/busy/.test(detail)) return '此刻认领的人太多，请稍后重试'
  const state = p?.state
  if (state === 'claimed' || state === 'assigned' || state === 'delivered' || state === 'fulfilled') {
    return '手慢了一步：这个心愿刚刚已被他人认领'
  }
  return '心愿状态已变化，页面已刷新为最新情况'
}

/** problem+json field errors → { "beneficiary.phone": "…" } in Chinese where we know the kind. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!(error instanceof ApiError) || !error.problem?.errors) return out
  for (const entry of error.problem.errors) {
    const field = entry.field || 'body'
    if (!out[field]) out[field] = fieldMessage(entry)
  }
  return out
}

const KIND_WORDS: Record<string, string> = {
  missing: '此项必填',
  string_too_short: '内容太短',
  string_too_long: '内容太长',
  string_pattern_mismatch: '格式不正确',
  too_long: '选得太多了',
  greater_than_equal: '数值太小',
  less_than_equal: '数值太大',
  int_parsing: '请输入数字',
  literal_error: '请从选项中选择',
  enum: '请从选项中选择',
}

export function fieldMessage(entry: ProblemEntry): string {
  const message = entry.message || ''
  if (/phone|ID-card|身份证|电话/i.test(message) && !/beneficiary/.test(entry.field)) {
    return '公开内容中不能包含电话号码或身份证号'
  }
  if (entry.field === 'beneficiary.phone') return '请输入正确的手机号或座机号'
  if (entry.field === 'region_code') return '请选择到村（社区）一级的有效地区'
  if (/visible character/.test(message)) return '请填写有效内容'
  if (/control|bidi/.test(message)) return '含有不允许的字符'
  if (entry.field === 'title' && entry.type === 'string_too_long') return '标题最多 50 个字'
  if (entry.type && KIND_WORDS[entry.type]) return KIND_WORDS[entry.type]
  return message || '此项有误'
}
