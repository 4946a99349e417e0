// Small progressive enhancements; every page works without them.
// Pages run under a strict Content-Security-Policy (no inline scripts, handlers or styles), so all
// behaviour lives here, found through data-* attributes in the templates.

// Forms (or one submit button) with data-confirm ask before they are sent, e.g. before a delete.
// One listener for the whole page; without JavaScript the form is sent without asking.
document.addEventListener("submit", (event) => {
  const question = (event.submitter && event.submitter.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

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
    const check = () => {
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
    };
    input.addEventListener("input", check);
    // Typed (or filled in by the browser) before this script ran: check what is there already.
    if (input.value.trim()) check();
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

  // A link with data-history-back returns to the previous page; its href is where it goes without JavaScript.
  document.querySelectorAll("a[data-history-back]").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });

  // Work order form: offer only the chosen customer's vehicles and devices (all stay selectable without JavaScript).
  const workOrderForm = document.querySelector("form[data-assets-of-customer]");
  const customer = workOrderForm && workOrderForm.querySelector("select[name=customer_id]");
  const asset = workOrderForm && workOrderForm.querySelector("select[name=asset_id]");
  if (customer && asset) {
    const filter = () => {
      asset.querySelectorAll("option[data-customer]").forEach((option) => {
        option.hidden = Boolean(customer.value) && option.dataset.customer !== customer.value;
        if (option.hidden && option.selected) asset.value = "";
      });
    };
    customer.addEventListener("change", filter);
    filter();
  }

  // Job board: dragging a card onto a column posts the same small form as the card's button for that
  // status; without JavaScript the buttons do it.
  const board = document.querySelector("[data-board]");
  if (board) {
    let dragged = null;
    board.querySelectorAll(".wo-card[draggable=true]").forEach((card) => {
      card.addEventListener("dragstart", () => { dragged = card; });
    });
    board.querySelectorAll(".wo-column").forEach((column) => {
      column.addEventListener("dragover", (event) => { if (dragged) { event.preventDefault(); column.classList.add("drop-target"); } });
      column.addEventListener("dragleave", () => column.classList.remove("drop-target"));
      column.addEventListener("drop", (event) => {
        event.preventDefault();
        column.classList.remove("drop-target");
        const form = dragged && dragged.querySelector(`form[data-to="${column.dataset.status}"]`);
        if (form) form.submit();
        else if (dragged && dragged.parentElement !== column) alert("A work order cannot move there from its current status.");
        dragged = null;
      });
    });
  }

  // Calendar: on a wide screen the days become columns on an hour grid, and each appointment and
  // opening-hours band sits at its time. Those places differ per element and a strict CSP forbids
  // style attributes, so the server writes them as data-* (percentages of the visible hours) and
  // this copies them into the custom properties app.css positions with (CSSOM from a same-origin
  // script is allowed). The grid only switches on once everything is placed (body.has-timeline):
  // without JavaScript the calendar stays the list of days a phone shows, times included.
  const calendar = document.querySelector(".cal[data-days]");
  if (calendar) {
    calendar.style.setProperty("--days", calendar.dataset.days);
    calendar.style.setProperty("--hours", calendar.dataset.hours);
    calendar.querySelectorAll("[data-top]").forEach((block) => {
      block.style.setProperty("--top", block.dataset.top + "%");
      block.style.setProperty("--height", block.dataset.height + "%");
    });
    document.body.classList.add("has-timeline");
  }

  // A job's progress bar (<progress data-poll="url">): asked every two seconds; when the job is
  // done the page reloads to show its result (e.g. a data export's download link).
  document.querySelectorAll("progress[data-poll]").forEach((bar) => {
    const poll = async () => {
      try {
        const response = await fetch(bar.dataset.poll, { headers: { Accept: "application/json" } });
        const job = await response.json();
        bar.value = job.progress;
        if (job.status === "queued" || job.status === "building") { setTimeout(poll, 2000); return; }
      } catch (error) {
        setTimeout(poll, 5000);
        return;
      }
      window.location.reload();
    };
    setTimeout(poll, 2000);
  });
});
