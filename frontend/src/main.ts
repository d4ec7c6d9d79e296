// Entry point: reads the page's configuration and starts the annotator.
//
// The Django template provides
//   <div id="echoloop-annotator" data-project-id="7" data-api-base="/api/" data-next-url="..."></div>
//   <script id="echoloop-config" type="application/json">{"csrfToken": "...", "user": {...}}</script>

import "./style.css";
import { Api } from "./api";
import { App } from "./app";
import { pageConfig } from "./dom";
import { DraftStore, type KeyValueStore } from "./draft";

interface Config {
  csrfToken?: string;
  user?: { id: number; username: string };
}

declare global {
  interface Window {
    echoloop?: ReturnType<App["hook"]>;
  }
}

/** localStorage, or an in-memory stand-in where it is blocked (drafts then last the page's life). */
function storage(): KeyValueStore {
  try {
    const s = window.localStorage;
    s.setItem("echoloop:probe", "1");
    s.removeItem("echoloop:probe");
    return s;
  } catch {
    const m = new Map<string, string>();
    return {
      getItem: (k) => m.get(k) ?? null,
      setItem: (k, v) => void m.set(k, v),
      removeItem: (k) => void m.delete(k),
      key: (i) => [...m.keys()][i] ?? null,
      get length() {
        return m.size;
      },
    };
  }
}

function boot(): void {
  const root = document.getElementById("echoloop-annotator");
  if (!root) return;
  const config = pageConfig<Config>();
  const app = new App({
    root,
    api: new Api(root.dataset.apiBase || "/api/", config.csrfToken ?? ""),
    drafts: new DraftStore(storage()),
    projectId: Number(root.dataset.projectId),
    nextUrl: root.dataset.nextUrl || undefined,
  });
  window.echoloop = app.hook();
  void app.start();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
