#!/usr/bin/env node
// Draws the app and tray icons and writes them as PNGs: no image library, just signed-distance
// shapes, 4×4 supersampling and zlib. Run `node resources/generate-icons.mjs` after changing the
// drawing; the output is committed (electron-builder turns icon.png into .ico and .icns itself).
//
// The picture: three engine "racks" (rounded bars) with a status light each, on a rounded tile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

// ---- PNG encoding -------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** RGBA pixels (Uint8Array, width*height*4) → PNG file bytes. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ---- drawing ------------------------------------------------------------------------------------

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

function roundedRect(px, py, x0, y0, x1, y1, r) {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const qx = Math.abs(px - cx) - ((x1 - x0) / 2 - r);
  const qy = Math.abs(py - cy) - ((y1 - y0) / 2 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

const circle = (px, py, cx, cy, r) => Math.hypot(px - cx, py - cy) - r;

const BARS = [
  { y: 0.3, x1: 0.6 },
  { y: 0.5, x1: 0.68 },
  { y: 0.7, x1: 0.54 },
];

/** Layers of the picture, top first: each returns a colour [r,g,b,a] where the point is inside, else null. */
function appLayers() {
  const from = hex('#4338ca');
  const to = hex('#0e7490');
  return [
    (x, y) => (BARS.some((b) => circle(x, y, 0.78, b.y, 0.055) <= 0) ? [...hex('#6ee7b7'), 255] : null),
    (x, y) => (BARS.some((b) => roundedRect(x, y, 0.2, b.y - 0.06, b.x1, b.y + 0.06, 0.06) <= 0) ? [255, 255, 255, 255] : null),
    (x, y) => {
      if (roundedRect(x, y, 0.06, 0.06, 0.94, 0.94, 0.2) > 0) return null;
      const t = Math.min(1, Math.max(0, (x + y) / 2));
      return [...from.map((c, i) => Math.round(c + (to[i] - c) * t)), 255];
    },
  ];
}

/** Tray glyph: bars fill the whole square (tray icons are tiny); `light` is the status colour or null. */
function trayLayers(bar, light) {
  return [
    (x, y) => (light && circle(x, y, 0.8, 0.78, 0.2) <= 0 ? [...hex(light), 255] : null),
    (x, y) => (light && circle(x, y, 0.8, 0.78, 0.3) <= 0 ? [0, 0, 0, 0] : null), // gap around the light
    (x, y) => (BARS.some((b) => roundedRect(x, y, 0.06, b.y - 0.1, b.x1 + 0.3, b.y + 0.1, 0.1) <= 0) ? [...hex(bar), 255] : null),
  ];
}

function render(size, layers) {
  const rgba = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let colour = null;
          for (const layer of layers) if ((colour = layer(x, y))) break;
          if (!colour) continue;
          const a = colour[3] / 255;
          for (let i = 0; i < 3; i++) acc[i] += colour[i] * a;
          acc[3] += a;
        }
      }
      const o = (py * size + px) * 4;
      const coverage = acc[3] / (n * n);
      for (let i = 0; i < 3; i++) rgba[o + i] = acc[3] ? Math.round(acc[i] / acc[3]) : 0;
      rgba[o + 3] = Math.round(coverage * 255);
    }
  }
  return rgba;
}

function write(rel, size, layers) {
  const file = join(here, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, encodePng(size, size, render(size, layers)));
  return rel;
}

// ---- what each platform needs -------------------------------------------------------------------

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
export const TRAY_STATES = { serving: '#22c55e', idle: null, error: '#ef4444' };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = [];
  // macOS .icns and Windows .ico are made by electron-builder from this 1024 px master.
  written.push(write('icon.png', 1024, appLayers()));
  for (const s of LINUX_SIZES) written.push(write(`icons/${s}x${s}.png`, s, appLayers()));
  for (const [state, light] of Object.entries(TRAY_STATES)) {
    // Windows and Linux: coloured 16 px (+ @2x for high-DPI).
    written.push(write(`tray/tray-${state}.png`, 16, trayLayers('#e5e7eb', light)));
    written.push(write(`tray/tray-${state}@2x.png`, 32, trayLayers('#e5e7eb', light)));
  }
  // macOS menu bar: a black "Template" image that the system tints for light and dark menus.
  written.push(write('tray/trayTemplate.png', 16, trayLayers('#000000', null)));
  written.push(write('tray/trayTemplate@2x.png', 32, trayLayers('#000000', null)));
  process.stdout.write(`wrote ${written.length} icons:\n  ${written.join('\n  ')}\n`);
}
