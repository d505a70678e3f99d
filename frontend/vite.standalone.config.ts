// The page as one script and one style sheet (src/embedscope/web/standalone/), for the self-contained HTML file a
// user saves from the page (server/routes/export_html.py inlines both with the map's data): no chunks to fetch, as a
// page opened from disk (file://) may fetch nothing.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: fileURLToPath(new URL("../src/embedscope/web/standalone", import.meta.url)),
    emptyOutDir: true,
    cssCodeSplit: false,
    copyPublicDir: false,
    chunkSizeWarningLimit: 4000, // one script on purpose
    rollupOptions: {
      input: fileURLToPath(new URL("./src/main.tsx", import.meta.url)),
      output: {
        format: "iife",
        inlineDynamicImports: true, // the plot's renderer and Arrow, loaded lazily when served, are in the one script
        entryFileNames: "embedscope.js",
        assetFileNames: "embedscope[extname]",
      },
    },
  },
});
