import { DashboardPage } from './features/dashboard/DashboardPage.js';

export function App() {
  return (
    <div className="app">
      <header className="topbar">llama-orch</header>
      <DashboardPage />
    </div>
  );
}
