// Cookie consent, enhanced (saas/consent). Everything works without this file: the banner's buttons are
// forms that post to /consent and come back, the settings fold open in a <details>, and the footer's
// "Cookie settings" link opens a page of its own. With it, a choice is sent without reloading the page,
// the footer link reopens the banner in place, and the scripts of newly allowed categories are added as
// the server lists them (the server alone decides which scripts a visitor gets).
(() => {
  const banner = () => document.querySelector("[data-consent-banner]");
  let statusTimer;

  function announce(message) {
    const status = document.querySelector("[data-consent-status]");
    if (!status) return;
    status.textContent = message;
    status.hidden = false;
    clearTimeout(statusTimer);
    statusTimer = setTimeout(() => { status.hidden = true; }, 8000);
  }

  // This page's Content-Security-Policy allows only the hosts of analytics allowed before it was sent: a
  // newly allowed script from another host is refused, and a fresh page (whose policy allows it) loads it.
  const addedOrigins = new Set();
  document.addEventListener("securitypolicyviolation", (event) => {
    let origin = null;
    try { origin = new URL(event.blockedURI).origin; } catch (error) { origin = null; }
    if (origin && addedOrigins.has(origin)) window.location.reload();
  });

  function addScripts(scripts) {
    const present = new Set([...document.scripts].map((tag) => tag.getAttribute("src")));
    scripts.forEach((item) => {
      if (present.has(item.src)) return;
      const origin = new URL(item.src, window.location.href).origin;
      if (origin !== window.location.origin) addedOrigins.add(origin);
      const tag = document.createElement("script");
      tag.src = item.src;
      tag.async = false; // run in the order given, as the server's deferred tags do
      tag.dataset.consentCategory = item.category;
      Object.entries(item.data || {}).forEach(([name, value]) => tag.setAttribute(`data-${name}`, value));
      document.head.appendChild(tag);
    });
  }

  function showChoice(allowed) {
    document.querySelectorAll("[data-consent-form] input[name=category]").forEach((box) => {
      if (!box.disabled) box.checked = allowed.has(box.value);
    });
    document.querySelectorAll("[data-consent-source]").forEach((source) => { source.value = "settings"; });
  }

  function sendPlainly(form, submitter) {
    form.dataset.consentPlain = "1";
    form.requestSubmit(submitter || undefined);
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("[data-consent-form]") || form.dataset.consentPlain) return;
    event.preventDefault();
    const body = new FormData(form);
    if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
    let response = null;
    try {
      response = await fetch(form.action, {
        method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" },
      });
    } catch (error) {
      response = null;
    }
    if (!response || !response.ok) { sendPlainly(form, event.submitter); return; }
    const data = await response.json();
    const allowed = new Set(data.allowed);
    // A script of a withdrawn category would go on setting its cookies: only a fresh page is rid of it.
    const withdrawn = [...document.querySelectorAll("script[data-consent-category]")]
      .some((tag) => !allowed.has(tag.dataset.consentCategory));
    if (withdrawn) { window.location.reload(); return; }
    addScripts(data.scripts || []);
    showChoice(allowed);
    const box = banner();
    if (box && box.contains(form)) box.hidden = true;
    announce(data.message);
  });

  document.addEventListener("click", (event) => {
    const box = banner();
    if (!box) return;
    if (event.target.closest("[data-consent-close]")) { box.hidden = true; return; }
    if (!event.target.closest("[data-consent-open]")) return;
    event.preventDefault();
    box.hidden = false;
    const details = box.querySelector("[data-consent-details]");
    if (details) details.open = true;
    const close = box.querySelector("[data-consent-close]");
    if (close) close.hidden = false;
    const first = box.querySelector("input[name=category]:not([disabled]), button");
    if (first) first.focus();
  });
})();
