// Prettier, set to the style the code already has, so that adopting it rewrites as little as possible:
// single quotes, semicolons, trailing commas, `(x) =>`. The code's long lines decided printWidth: over
// the tree, 120 would rewrite 365 files (2,718 existing lines), 160: 285 (1,268), 200: 210 (786),
// 240: 178 (762); 200 is where widening stops paying. Only source code is formatted (see the scripts).
/** @type {import('prettier').Config} */
export default {
  printWidth: 200,
  singleQuote: true,
};
