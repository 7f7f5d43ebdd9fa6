// Settings → Service levels: the form reads the settings and turns back into a patch the core
// accepts (business hours, time zone, per-deployment overrides with empty fields left out).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, SettingsStore } from '../../../electron/core/settings/settings.js';
import { serviceLevelsForm, serviceLevelsPatch } from '../../../renderer/src/features/settings/selectors.js';
import { tempDir } from '../../helpers/tmp.js';

describe('service levels form', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  it('round-trips the defaults unchanged (24/7, no overrides, no webhook)', () => {
    expect({ ...DEFAULT_SETTINGS.reports, ...serviceLevelsPatch(serviceLevelsForm(DEFAULT_SETTINGS.reports)) }).toEqual(DEFAULT_SETTINGS.reports);
  });

  it('turns business hours and an override with one field into a patch the settings store accepts', () => {
    const d = tempDir();
    dirs.push(d);
    const store = new SettingsStore(join(d.path, 'settings.json'));
    const f = serviceLevelsForm(DEFAULT_SETTINGS.reports);
    const patch = serviceLevelsPatch({
      ...f,
      allWeek: false,
      days: [5, 1, 2],
      from: '08:30',
      to: '24:00',
      timeZone: ' Europe/Berlin ',
      overrides: [
        { deployment: 'qwen', availability: '', ttftMs: '900', errorRate: '' },
        { deployment: ' ', availability: '1', ttftMs: '', errorRate: '' },
      ],
      webhookUrl: 'http://127.0.0.1:9/hook',
    });
    const saved = store.update({ reports: patch }).reports;
    expect(saved).toMatchObject({
      businessHours: { days: [1, 2, 5], from: '08:30', to: '24:00' },
      timeZone: 'Europe/Berlin',
      deploymentSlos: { qwen: { ttftP95TargetMs: 900 } },
      webhookUrl: 'http://127.0.0.1:9/hook',
    });
    expect(serviceLevelsForm(saved).overrides).toEqual([{ deployment: 'qwen', availability: '', ttftMs: '900', errorRate: '' }]);
  });

  it('sends an emptied required target as null so the core refuses it naming the field', () => {
    const patch = serviceLevelsPatch({ ...serviceLevelsForm(DEFAULT_SETTINGS.reports), availability: '' });
    expect(JSON.parse(JSON.stringify(patch)).availabilityTargetPercent).toBeNull();
  });
});
