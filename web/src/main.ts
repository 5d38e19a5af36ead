import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { loadConfig } from './lib/config'
import { applyElderMode } from './lib/elder'
import 'vant/es/style/base.css'
import './styles.css'

applyElderMode()
loadConfig().then(() => {
  createApp(App).use(router).mount('#app')
})
