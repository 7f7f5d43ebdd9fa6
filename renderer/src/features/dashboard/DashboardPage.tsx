import { useEffect } from 'react';
import { EmptyState, ErrorNote } from '../../components/ui.js';
import { href } from '../../lib/router.js';
import { FirstRunCard } from '../first-run/FirstRunCard.js';
import { dashboardOpened, engineInstallRequested } from './actions.js';
import { EngineInstall } from './EngineInstall.js';
import { HardwareSection } from './HardwareSection.js';
import { InstanceCard } from './InstanceCard.js';
import { selectChecklist, selectInstances } from './selectors.js';
import { Snippets } from './Snippets.js';
import { useDashboard } from './store.js';

export function DashboardPage() {
  const state = useDashboard();
  useEffect(() => dashboardOpened(), []);
  const instances = selectInstances(state);
  const steps = selectChecklist(state);
  const firstModel = instances[0]?.modelId ?? 'your-model';
  return (
    <main className="page" aria-labelledby="page-title">
      <h1 id="page-title">Dashboard</h1>
      <ErrorNote message={state.error && `Cannot reach the core: ${state.error}`} />
      <FirstRunCard />
      {steps.some((s) => !s.done) && (
        <section className="card checklist" aria-label="Getting started">
          <h2>Getting started</h2>
          <ol>
            {steps.map((s) => (
              <li key={s.id} className={s.done ? 'done' : ''} data-testid={`step-${s.id}`} data-done={s.done}>
                <span className="check" aria-hidden="true">
                  {s.done ? '✓' : '○'}
                </span>{' '}
                {s.label}
                {!s.done && s.id === 'model' && (
                  <a className="step-link" href={href('models')}>
                    Add a model
                  </a>
                )}
                {!s.done && s.id === 'chat' && (
                  <a className="step-link" href={href('chat')}>
                    Open chat
                  </a>
                )}
                {!s.done && s.id === 'engine' && (
                  <button type="button" className="btn small step-link" onClick={() => void engineInstallRequested()} disabled={state.engineInstall?.progress?.state === 'running'}>
                    Install engine
                  </button>
                )}
              </li>
            ))}
          </ol>
          {state.engineInstall && <EngineInstall />}
        </section>
      )}
      <HardwareSection instances={instances} />
      <section aria-label="Engines" className="section">
        <h2>Running models</h2>
        {instances.length === 0 ? (
          <EmptyState
            title="No model is loaded yet."
            action={
              <a className="btn primary" href={href('models')}>
                Go to Models
              </a>
            }
          >
            Load a model from the library, or just start a chat: the model loads on the first message.
          </EmptyState>
        ) : (
          <div className="grid">
            {instances.map((i) => (
              <InstanceCard key={i.id} instance={i} facts={state.facts[i.id]} rates={state.rates[i.id] ?? []} />
            ))}
          </div>
        )}
      </section>
      {state.status && <Snippets apiBaseUrl={state.status.apiBaseUrl} model={firstModel} />}
    </main>
  );
}
