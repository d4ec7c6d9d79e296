// Entry point of the lead's review page: reads the page's configuration and starts it.
//
// The Django template provides
//   <div id="echoloop-annotator" data-page="review" data-project-id="7" data-api-base="/api/"></div>
//   <script id="echoloop-config" type="application/json">{"csrfToken": "...", "annotators": [...], "datasets": [...]}</script>

import "./style.css";
import "./review.css";
import { Api } from "./api";
import { pageConfig } from "./dom";
import { ReviewApi } from "./reviewapi";
import { ReviewApp } from "./reviewpage";
import type { Person } from "./reviewui";

interface Config {
  csrfToken?: string;
  annotators?: Person[];
  datasets?: { id: number; name: string }[];
}

declare global {
  interface Window {
    echoloopReview?: ReturnType<ReviewApp["hook"]>;
  }
}

function boot(): void {
  const root = document.querySelector<HTMLElement>('#echoloop-annotator[data-page="review"]');
  if (!root) return;
  const config = pageConfig<Config>();
  const base = root.dataset.apiBase || "/api/";
  const app = new ReviewApp({
    root,
    api: new Api(base, config.csrfToken ?? ""),
    reviewApi: new ReviewApi(base, config.csrfToken ?? ""),
    projectId: Number(root.dataset.projectId),
    annotators: config.annotators ?? [],
    datasets: config.datasets ?? [],
  });
  window.echoloopReview = app.hook();
  void app.start();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
