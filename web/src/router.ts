import { ref } from 'vue'
import { createRouter, createWebHistory, type RouteLocationRaw } from 'vue-router'
import Wall from './pages/Wall.vue'

// The wall is in the entry bundle; every other page loads only when opened.
export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes: [
    { path: '/', name: 'wall', component: Wall, meta: { title: '心愿清单' } },
    { path: '/wishes/:id', name: 'wish', component: () => import('./pages/WishPage.vue'), meta: { title: '心愿详情' } },
    { path: '/basket', name: 'basket', component: () => import('./pages/Basket.vue'), meta: { title: '心愿篮' } },
    { path: '/submit', name: 'submit', component: () => import('./pages/Submit.vue'), meta: { title: '提交心愿' } },
    { path: '/me', name: 'me', component: () => import('./pages/Me.vue'), meta: { title: '我的' } },
    { path: '/inbox', name: 'inbox', component: () => import('./pages/Inbox.vue'), meta: { title: '消息' } },
    { path: '/signin', name: 'signin', component: () => import('./pages/Signin.vue'), meta: { title: '登录' } },
    { path: '/console', name: 'console', component: () => import('./pages/Console.vue'), meta: { title: '妇联工作台' } },
    { path: '/stats', name: 'stats', component: () => import('./pages/Stats.vue'), meta: { title: '数据看板' } },
    { path: '/campaigns', name: 'campaigns', component: () => import('./pages/Campaigns.vue'), meta: { title: '专场活动' } },
    { path: '/me/units', name: 'my-units', component: () => import('./pages/MyUnits.vue'), meta: { title: '我的单位' } },
    { path: '/units', name: 'units', component: () => import('./pages/Units.vue'), meta: { title: '单位名录' } },
    { path: '/units/:id', name: 'unit', component: () => import('./pages/UnitPage.vue'), meta: { title: '单位' } },
    { path: '/compliance', name: 'compliance', component: () => import('./pages/Compliance.vue'), meta: { title: '活动达标' } },
    { path: '/recognition', name: 'recognition', component: () => import('./pages/Recognition.vue'), meta: { title: '表彰参考' } },
    { path: '/campaigns/:id', name: 'campaign', component: () => import('./pages/CampaignPage.vue'), meta: { title: '专场活动' } },
    { path: '/:rest(.*)*', name: 'missing', component: () => import('./pages/Missing.vue'), meta: { title: '页面不存在' } },
  ],
  scrollBehavior(_to, _from, saved) {
    return saved || { top: 0 }
  },
})

router.afterEach((to) => {
  document.title = `${String(to.meta.title || '微心愿')} · 微心愿`
})

// A page's code that fails to load (lost connection) leaves the current page and offers a retry.
export const navigationError = ref<{ to: RouteLocationRaw } | null>(null)
router.onError((_error, to) => {
  navigationError.value = { to: to.fullPath }
})
router.afterEach(() => {
  navigationError.value = null
})
