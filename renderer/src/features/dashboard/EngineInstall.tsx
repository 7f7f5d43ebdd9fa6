import { EngineInstallProgress } from '../../components/EngineInstallProgress.js';
import { useDashboard } from './store.js';

/** Progress of an engine installation started from the checklist. */
export function EngineInstall() {
  const job = useDashboard((s) => s.engineInstall);
  return <EngineInstallProgress job={job} testId="engine-install" />;
}
