// Google Analytics 4's configuration. The server renders this tag (and gtag.js) only for visitors who
// allowed analytics (saas/consent/analytics.py); Google's snippet is inline, so under a strict
// Content-Security-Policy its lines live here, configured by data-measurement-id.
(() => {
  const script = document.currentScript;
  const id = script && script.dataset.measurementId;
  if (!id) return;
  window.dataLayer = window.dataLayer || [];
  window.gtag = window.gtag || function gtag() { window.dataLayer.push(arguments); };
  window.gtag("js", new Date());
  // Host-only cookies: each shop's subdomain keeps its own, as its visitors' consent is its own.
  window.gtag("config", id, { cookie_domain: "none" });
})();
