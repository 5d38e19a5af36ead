import { beforeEach, describe, expect, it, vi } from 'vitest'

// The session reads sessionStorage when imported; the composables use the router and onMounted.
const fake = vi.hoisted(() => {
  const items = new Map<string, string>()
  ;(globalThis as { sessionStorage?: unknown }).sessionStorage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => { items.set(key, value) },
    removeItem: (key: string) => { items.delete(key) },
  }
  return { query: {} as Record<string, string>, replace: vi.fn(), mounted: [] as (() => void)[] }
})
vi.mock('vue-router', () => ({ useRoute: () => ({ query: fake.query }), useRouter: () => ({ replace: fake.replace }) }))
vi.mock('vue', async (original) => ({
  ...(await original<typeof import('vue')>()),
  onMounted: (hook: () => void) => { fake.mounted.push(hook) },
}))

const { ApiError } = await import('../src/api/client')
const { signIn, signOut } = await import('../src/lib/session')
const { chinaYear } = await import('../src/lib/units')
const { formErrors, useForm } = await import('../src/lib/useForm')
const { useRegionYear } = await import('../src/lib/useRegionYear')

const invalid = (...fields: string[]) =>
  new ApiError('problem', 422, { status: 422, errors: fields.map((field) => ({ field, message: 'bad', type: 'missing' })) })
const flush = () => new Promise((resolve) => setTimeout(resolve))

beforeEach(() => {
  fake.query = {}
  fake.replace.mockReset()
  fake.mounted.length = 0
  signOut()
})

describe('a form that sends one request', () => {
  it('puts the API field errors on the form fields, else says what went wrong under body', () => {
    expect(formErrors(invalid('contact.phone', 'contact.name', 'honours.0', 'name')))
      .toEqual({ contact: '此项必填', honours: '此项必填', name: '此项必填' })
    expect(formErrors(new ApiError('offline', 0))).toEqual({ body: '网络连接中断，请检查网络后重试' })
    expect(formErrors(new ApiError('problem', 409, { status: 409 }), () => '名额不够')).toEqual({ body: '名额不够' })
  })
  it('sends nothing while its own checks left an error', async () => {
    const { errors, send } = useForm()
    const request = vi.fn(async () => {})
    errors.value = { title: '请填写活动名称' }
    await send(request)
    expect(request).not.toHaveBeenCalled()
    expect(errors.value).toEqual({ title: '请填写活动名称' })
  })
  it('is busy while it sends, and shows what the API refused', async () => {
    const { busy, errors, send } = useForm()
    let release = () => {}
    const sent = send(() => new Promise<void>((_, reject) => { release = () => reject(invalid('day')) }))
    expect(busy.value).toBe(true)
    release()
    await sent
    expect(busy.value).toBe(false)
    expect(errors.value).toEqual({ day: '此项必填' })
  })
})

describe('the region and year of a page of figures', () => {
  it('starts from the address, and loads on mount only when allowed', async () => {
    fake.query = { region: '431222', year: '2025' }
    const fetch = vi.fn(async () => ({ items: [] }))
    const officer = useRegionYear(fetch, { when: () => true })
    expect([officer.region.value, officer.year.value]).toEqual(['431222', 2025])
    expect(officer.years).toHaveLength(4)
    fake.mounted.forEach((hook) => hook())
    await flush()
    expect(fetch).toHaveBeenCalledWith({ year: 2025, region: '431222' })
    expect(officer.view.value).toEqual({ items: [] })

    fake.mounted.length = 0
    useRegionYear(fetch, { when: () => false })
    fake.mounted.forEach((hook) => hook())
    expect(fetch).toHaveBeenCalledTimes(1)
  })
  it("else the caller's own region and this year in China", () => {
    const claims = { sub: 'o-1', 'cognito:groups': ['officer'], 'custom:region': '431222000000' }
    signIn(`x.${btoa(JSON.stringify(claims))}.y`)
    const { region, year } = useRegionYear(async () => ({}))
    expect([region.value, year.value]).toEqual(['431222', chinaYear()])
  })
  it('puts a picked region and the page state into the address, then loads again', async () => {
    const fetch = vi.fn(async () => ({ items: [] }))
    const page = useRegionYear(fetch, { query: () => ({ status: 'below' }) })
    page.onPick({ code: '431222250', label: '马底驿乡' })
    expect(page.regionLabel.value).toBe('马底驿乡')
    expect(fake.replace).toHaveBeenCalledWith({ query: { region: '431222250', year: String(chinaYear()), status: 'below' } })
    expect(fetch).toHaveBeenCalledWith({ year: chinaYear(), region: '431222250' })
  })
  it('says why the figures did not come, and asks for all regions when none is chosen', async () => {
    const fetch = vi.fn(async () => { throw new ApiError('server', 503) })
    const page = useRegionYear(fetch)
    await page.load()
    expect(fetch).toHaveBeenCalledWith({ year: chinaYear() })
    expect(page.view.value).toBeNull()
    expect(page.loadError.value).toBe('服务暂时不可用（503），请稍后重试')
  })
})
