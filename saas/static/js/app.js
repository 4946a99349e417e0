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

  // Vehicles and devices: show the fields of the chosen kind; check a VIN and prefill make and year.
  const assetForm = document.querySelector("form[data-asset-form]");
  if (assetForm) {
    const kind = assetForm.querySelector("select[name=kind]");
    const showKind = () => {
      assetForm.querySelectorAll("[data-kind]").forEach((part) => {
        part.hidden = part.dataset.kind !== kind.value;
      });
    };
    kind.addEventListener("change", showKind);
    showKind();

    const vin = assetForm.querySelector("input[name=vin]");
    const vinStatus = document.getElementById("vin-status");
    const lookUp = async () => {
      const value = vin.value.replace(/[\s-]/g, "").toUpperCase();
      if (value.length !== 17) { vinStatus.textContent = ""; return; }
      try {
        const url = assetForm.dataset.vinLookup + "?vin=" + encodeURIComponent(value);
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        const data = await response.json();
        vinStatus.textContent = (data.valid ? "✓ " : "") + data.message;
        vinStatus.className = "hint " + (data.valid ? "ok" : "error");
        if (data.valid) {
          const make = assetForm.querySelector("input[name=make]");
          const year = assetForm.querySelector("input[name=year]");
          if (data.make && !make.value) make.value = data.make;
          if (data.year && !year.value) year.value = data.year;
        }
      } catch (error) {
        vinStatus.textContent = "";
      }
    };
    vin.addEventListener("change", lookUp);
    vin.addEventListener("input", () => { if (vin.value.replace(/[\s-]/g, "").length === 17) lookUp(); });
  }
});
