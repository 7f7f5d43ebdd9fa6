// The app shell: navigation and the page of the current route.
import { useEffect } from 'react';
import { HealthBanner } from './components/HealthBanner.js';
import { ChatPage } from './features/chat/ChatPage.js';
import { DashboardPage } from './features/dashboard/DashboardPage.js';
import { LogsPage } from './features/logs/LogsPage.js';
import { ModelsPage } from './features/models/ModelsPage.js';
import { ReportsPage } from './features/reports/ReportsPage.js';
import { appStarted } from './features/settings/actions.js';
import { SettingsPage } from './features/settings/SettingsPage.js';
import { href, PAGES, useRoute, type PageName } from './lib/router.js';

const VIEWS: Record<PageName, () => React.JSX.Element> = {
  dashboard: DashboardPage,
  models: ModelsPage,
  logs: LogsPage,
  chat: ChatPage,
  reports: ReportsPage,
  settings: SettingsPage,
};

export function App() {
  const route = useRoute();
  useEffect(() => appStarted(), []);
  useEffect(() => {
    document.title = `${PAGES.find((p) => p.name === route.page)?.label ?? ''} · llama-orch`;
  }, [route.page]);
  const View = VIEWS[route.page];
  return (
    <div className="app">
      <a className="skip-link" href="#content" onClick={(e) => (e.preventDefault(), document.getElementById('content')?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">llama-orch</span>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((p) => (
              <li key={p.name}>
                <a href={href(p.name)} aria-current={route.page === p.name ? 'page' : undefined} data-testid={`nav-${p.name}`}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <div id="content" tabIndex={-1} className="content">
        <HealthBanner />
        <View key={route.page} />
      </div>
    </div>
  );
}
