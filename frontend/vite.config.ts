// Builds the page into the Python package (src/embedscope/web/), which `embedscope serve` serves at /.
// `npm run dev` proxies the API to a server started with `embedscope serve DATA --port 6006`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const target = process.env.EMBEDSCOPE_URL ?? "http://127.0.0.1:6006";

export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: fileURLToPath(new URL("../src/embedscope/web", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { "/api": { target, ws: true, changeOrigin: false } },
  },
});
