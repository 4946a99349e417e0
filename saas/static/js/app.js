// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("main-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  // Signup: check the subdomain while the user types.
  const form = document.querySelector("form[data-subdomain-check]");
  if (form) {
    const input = form.querySelector("input[name=subdomain]");
    const status = document.getElementById("subdomain-status");
    let timer;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const value = input.value.trim().toLowerCase();
      if (!value) { status.textContent = ""; return; }
      timer = setTimeout(async () => {
        const url = form.dataset.subdomainCheck + "?subdomain=" + encodeURIComponent(value);
        try {
          const response = await fetch(url, { headers: { Accept: "application/json" } });
          const data = await response.json();
          status.textContent = data.available ? "✓ " + value + " is available" : data.message;
          status.className = "subdomain-status " + (data.available ? "ok" : "bad");
        } catch (error) {
          status.textContent = "";
        }
      }, 250);
    });
  }
});
