// A banner over every page while the core is degraded (health `problems`): e.g. the request log
// failing to write on a full disk while chats still work. Polls /healthz; shows nothing when ok.
import { useEffect, useState } from 'react';
import { api } from '../lib/api.js';

const POLL_MS = 15_000;

export function HealthBanner() {
  const [problems, setProblems] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    const check = () =>
      api
        .healthz()
        .then((h) => live && setProblems(h.status === 'degraded' ? (h.problems ?? []) : []))
        .catch(() => undefined); // unreachable core: other parts of the UI say so
    void check();
    const timer = setInterval(check, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (problems.length === 0) return null;
  return (
    <div className="banner error" role="alert" data-testid="health-banner">
      <span>{problems.join(' · ')}</span>
    </div>
  );
}
