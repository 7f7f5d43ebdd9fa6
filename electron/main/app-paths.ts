// Files the shell needs at run time, in the source tree (`electron .`) and in the packaged app
// (builder.yml copies resources/tray and resources/icons next to the asar, same relative layout).
import { join } from 'node:path';
import { packageRoot } from '../core/util/package-root.js';
import type { TrayIconKind } from './tray.js';

export function preloadPath(mainDir: string): string {
  return join(mainDir, '..', 'preload', 'index.cjs');
}

export function resourcesDir(isPackaged: boolean, resourcesPath: string, root: string = packageRoot()): string {
  return isPackaged ? resourcesPath : join(root, 'resources');
}

/** macOS gets a monochrome template image the menu bar tints; other systems the coloured status icon. */
export function trayIconPath(dir: string, kind: TrayIconKind, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? join(dir, 'tray', 'trayTemplate.png') : join(dir, 'tray', `tray-${kind}.png`);
}

export function windowIconPath(dir: string): string {
  return join(dir, 'icons', '256x256.png');
}
