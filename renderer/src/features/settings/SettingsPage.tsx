import { useEffect, useState } from 'react';
import { DIAGNOSTICS_ROUTE, type Settings } from '../../../../electron/contract/index.js';
import { ErrorNote } from '../../components/ui.js';
import { sectionSaved, settingsOpened } from './actions.js';
import { AboutSection } from './AboutSection.js';
import { EnginesSection } from './EnginesSection.js';
import { EngineUpgradesSection } from './EngineUpgradesSection.js';
import { KeysSection } from './KeysSection.js';
import { KitSection } from './KitSection.js';
import { UpstreamsSection } from './UpstreamsSection.js';
import { Section } from './Section.js';
import { ServiceLevelsSection } from './ServiceLevelsSection.js';
import { WorkersSection } from './WorkersSection.js';
import { isLanEnabled, linesToList } from './selectors.js';
import { useSettings } from './store.js';

function Forms({ s, dataDir }: { s: Settings; dataDir: string | null }) {
  const [api, setApi] = useState({ host: s.api.host, port: String(s.api.port), cors: s.api.corsOrigins.join('\n'), hosts: s.api.allowedHosts.join('\n') });
  const [lan, setLan] = useState(isLanEnabled(s));
  const [folder, setFolder] = useState(s.models.folder ?? '');
  const [engines, setEngines] = useState({ releaseSource: s.engines.releaseSource, mirrorUrl: s.engines.mirrorUrl ?? '', traceLogs: s.engines.traceLogs });
  const [hub, setHub] = useState({ endpoint: s.hub.endpoint, token: '' });
  const [ttl, setTtl] = useState(String(s.gateway.idleTtlSeconds / 60));
  const [privacy, setPrivacy] = useState({ days: String(s.privacy.requestLogRetentionDays), logContent: s.privacy.logContent });
  const [ui, setUi] = useState(s.ui);
  const [offline, setOffline] = useState(s.network.offline);
  const host = lan ? (api.host === '127.0.0.1' ? '0.0.0.0' : api.host) : '127.0.0.1';
  return (
    <>
      <Section name="api" title="Local API" onSave={() => void sectionSaved('api', { host, port: Number(api.port), corsOrigins: linesToList(api.cors), allowedHosts: linesToList(api.hosts) })}>
        <label className="check-field">
          <input type="checkbox" checked={lan} onChange={(e) => setLan(e.target.checked)} data-testid="lan-toggle" /> Allow other computers on the network (needs an API key; used after a restart)
        </label>
        {lan && (
          <label className="field">
            <span>Bind address</span>
            <input value={host} onChange={(e) => setApi({ ...api, host: e.target.value })} />
          </label>
        )}
        <label className="field">
          <span>Port (used after a restart)</span>
          <input type="number" min={1} max={65535} value={api.port} onChange={(e) => setApi({ ...api, port: e.target.value })} />
        </label>
        <label className="field">
          <span>Web pages allowed to call the API (CORS origins, one per line)</span>
          <textarea rows={2} value={api.cors} onChange={(e) => setApi({ ...api, cors: e.target.value })} placeholder="https://intranet.example.com" />
        </label>
        <label className="field">
          <span>Extra host names this computer is reached by (one per line)</span>
          <textarea rows={2} value={api.hosts} onChange={(e) => setApi({ ...api, hosts: e.target.value })} placeholder="ai-box.office.lan" />
        </label>
      </Section>
      <KeysSection />
      <UpstreamsSection />
      <Section name="models" title="Folders" onSave={() => void sectionSaved('models', { folder: folder.trim() || null })}>
        <p>
          Data folder: <code>{dataDir ?? '…'}</code>
        </p>
        <label className="field">
          <span>Models folder (empty: inside the data folder; used after a restart)</span>
          <input value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="default" />
        </label>
      </Section>
      <EnginesSection />
      <EngineUpgradesSection />
      <AboutSection />
      <Section
        name="engines"
        title="Engine downloads and logs"
        onSave={() => void sectionSaved('engines', { releaseSource: engines.releaseSource, mirrorUrl: engines.mirrorUrl.trim() || null, traceLogs: engines.traceLogs })}
      >
        <label className="field">
          <span>Where engines come from</span>
          <select value={engines.releaseSource} onChange={(e) => setEngines({ ...engines, releaseSource: e.target.value as Settings['engines']['releaseSource'] })}>
            <option value="github">llama.cpp releases (default)</option>
            <option value="mirror">a mirror in your network</option>
            <option value="offline">offline: import engines by hand</option>
          </select>
        </label>
        {engines.releaseSource === 'mirror' && (
          <label className="field">
            <span>Mirror URL</span>
            <input value={engines.mirrorUrl} onChange={(e) => setEngines({ ...engines, mirrorUrl: e.target.value })} placeholder="https://mirror.example.com/llama.cpp" />
          </label>
        )}
        <label className="check-field">
          <input type="checkbox" checked={engines.traceLogs} onChange={(e) => setEngines({ ...engines, traceLogs: e.target.checked })} data-testid="trace-logs" /> Trace engine logs
        </label>
        <p className="muted small field-note">More detail in the logs, including memory buffers per device; chattier and a little slower. Applies to models loaded after saving.</p>
      </Section>
      <Section name="network" title="Network" onSave={() => void sectionSaved('network', { offline })}>
        <label className="check-field">
          <input type="checkbox" checked={offline} onChange={(e) => setOffline(e.target.checked)} data-testid="offline-toggle" /> Offline mode: never connect beyond this computer
        </label>
        <p className="muted small field-note">
          Model search and downloads, engine downloads and update checks say “offline mode” instead of trying. Bring engines and models on an offline kit (<code>llama-orch kit import</code>). Local
          models keep answering.
        </p>
      </Section>
      <Section name="hub" title="Hugging Face" onSave={() => void sectionSaved('hub', { endpoint: hub.endpoint, ...(hub.token ? { token: hub.token } : {}) })}>
        <label className="field">
          <span>Endpoint</span>
          <input value={hub.endpoint} onChange={(e) => setHub({ ...hub, endpoint: e.target.value })} />
        </label>
        <label className="field">
          <span>Access token {s.hub.token ? '(one is set; type a new one to replace it)' : '(for gated models)'}</span>
          <input type="password" value={hub.token} onChange={(e) => setHub({ ...hub, token: e.target.value })} autoComplete="off" />
        </label>
      </Section>
      <Section name="gateway" title="Unloading" onSave={() => void sectionSaved('gateway', { idleTtlSeconds: Math.round(Number(ttl) * 60) })}>
        <label className="field">
          <span>Unload a model after this many idle minutes (0: never)</span>
          <input type="number" min={0} step={1} value={ttl} onChange={(e) => setTtl(e.target.value)} data-testid="idle-ttl" />
        </label>
      </Section>
      <Section name="privacy" title="Privacy" onSave={() => void sectionSaved('privacy', { requestLogRetentionDays: Number(privacy.days), logContent: privacy.logContent })}>
        <label className="field">
          <span>Keep the request log for (days)</span>
          <input type="number" min={0} value={privacy.days} onChange={(e) => setPrivacy({ ...privacy, days: e.target.value })} />
        </label>
        <label className="check-field">
          <input type="checkbox" checked={privacy.logContent} onChange={(e) => setPrivacy({ ...privacy, logContent: e.target.checked })} /> Also store prompts and answers in the request log (customer
          data)
        </label>
      </Section>
      <ServiceLevelsSection s={s} />
      <KitSection />
      <WorkersSection />
      <section className="card settings-section" aria-labelledby="s-support" data-testid="settings-support">
        <h2 id="s-support">Support</h2>
        <p>A zip for whoever helps with this computer: versions, hardware, engines, deployments, the end of the engine logs, metrics and request counts. No prompts, answers, API keys or tokens.</p>
        <a className="btn" href={DIAGNOSTICS_ROUTE} download data-testid="diagnostics-download">
          Download diagnostics bundle
        </a>
      </section>
      <Section name="ui" title="Appearance" onSave={() => void sectionSaved('ui', ui)}>
        <fieldset className="radios">
          <legend>Theme</legend>
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className="check-field">
              <input type="radio" name="theme" value={t} checked={ui.theme === t} onChange={() => setUi({ ...ui, theme: t })} /> {t === 'system' ? 'Same as the system' : t}
            </label>
          ))}
        </fieldset>
        <label className="check-field">
          <input type="checkbox" checked={ui.saveConversations} onChange={(e) => setUi({ ...ui, saveConversations: e.target.checked })} /> Save chat conversations on this computer
        </label>
      </Section>
    </>
  );
}

export function SettingsPage() {
  const { settings, loadError, dataDir } = useSettings();
  useEffect(() => settingsOpened(), []);
  return (
    <main className="page" aria-labelledby="page-title">
      <h1 id="page-title">Settings</h1>
      <ErrorNote message={loadError && `Settings could not be read: ${loadError}`} />
      {!settings && !loadError && <p className="muted">Loading…</p>}
      {/* keyed by the loaded document so the forms start from the saved values */}
      {settings && <Forms key={settings.schemaVersion} s={settings} dataDir={dataDir} />}
    </main>
  );
}
