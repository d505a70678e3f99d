// Vitest for the page's state and logic modules (pure TypeScript, run in Node: no DOM, no WebGL).
// Tests sit beside their modules as `*.test.ts`; `make test` runs them before pytest.
import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
