// About: the app version and licence, and each installed engine build with its provenance and
// licence (the same facts as `llama-orch --version --json`).
import { APP_LICENSE } from '../../../../electron/contract/index.js';
import { engineProvenance } from './selectors.js';
import { useSettings } from './store.js';

export function AboutSection() {
  const { appVersion, engines } = useSettings();
  return (
    <section className="card settings-section" aria-labelledby="about-title" data-testid="settings-about">
      <h2 id="about-title">About</h2>
      <p>
        llama-orch <strong data-testid="about-version">{appVersion ?? '…'}</strong> · {APP_LICENSE} licence. The licences of its npm packages are listed in the software bill of materials (
        <code>sbom.cdx.json</code>, CycloneDX) published with each build.
      </p>
      {engines?.data.map((e) => (
        <dl key={e.id} className="facts small" data-testid={`about-engine-${e.id}`} aria-label={`Engine ${e.id}`}>
          {[{ label: 'Engine', value: e.id }, ...engineProvenance(e)].map((f) => (
            <div key={f.label} className="fact-row">
              <dt>{f.label}</dt>
              <dd className="mono">{f.value}</dd>
            </div>
          ))}
        </dl>
      ))}
    </section>
  );
}
