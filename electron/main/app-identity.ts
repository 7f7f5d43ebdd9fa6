// Who the app is to the operating system. The AppUserModelID must equal builder.yml's `appId`: the
// NSIS installer stamps it on the Start-menu and desktop shortcuts, and Windows shows a toast only
// for an AUMID that a shortcut carries (a unit test compares the two).
export const APP_USER_MODEL_ID = 'org.llama-orch.desktop';

export interface AppIdentityApp {
  isPackaged: boolean;
  setAppUserModelId(id: string): void;
}

/**
 * Set the AppUserModelID on Windows (a no-op elsewhere). Unpackaged (`electron .`) there is no
 * shortcut with our ID, and Windows attributes toasts to the Electron binary instead.
 */
export function applyAppUserModelId(app: AppIdentityApp, platform: NodeJS.Platform, execPath: string): string | null {
  if (platform !== 'win32') return null;
  const id = app.isPackaged ? APP_USER_MODEL_ID : execPath;
  app.setAppUserModelId(id);
  return id;
}
