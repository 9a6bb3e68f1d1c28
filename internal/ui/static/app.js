// mockcommand dashboard: local times and the live request view.
// Everything else works without JavaScript.
"use strict";

// localTime writes d in the browser's zone as 2026-06-01 21:00:00 GMT+9.
// Plain Date arithmetic: building an Intl formatter costs more than the
// rest of the page.
function localTime(d) {
  const p = (n) => String(n).padStart(2, "0");
  const off = -d.getTimezoneOffset();
  const abs = Math.abs(off);
  const zone = off === 0 ? "UTC" :
    "GMT" + (off > 0 ? "+" : "-") + Math.floor(abs / 60) + (abs % 60 ? ":" + p(abs % 60) : "");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone}`;
}

// localTimes shows each <time> in the browser's zone, keeping the UTC
// value (already its title) for hovering.
function localTimes(root) {
  for (const el of root.querySelectorAll("time[datetime]")) {
    if (el.dataset.local) continue;
    const d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) continue;
    el.textContent = localTime(d);
    el.title = "UTC: " + el.getAttribute("title");
    el.dataset.local = "1";
  }
}

// liveRequests follows the journal over server-sent events: each event
// carries rows the server rendered (and escaped), newest first.
function liveRequests(list) {
  const state = document.getElementById("live-state");
  const source = new EventSource(list.dataset.stream);
  let added = 0;
  source.addEventListener("entries", (ev) => {
    const tpl = document.createElement("template");
    tpl.innerHTML = ev.data;
    localTimes(tpl.content);
    added += tpl.content.querySelectorAll("details.entry").length;
    list.prepend(tpl.content);
    const empty = document.getElementById("no-requests");
    if (empty) empty.remove();
    if (state) state.textContent = added + " new request" + (added === 1 ? "" : "s") + " since this page opened; live.";
  });
  source.addEventListener("open", () => list.classList.add("live"));
  source.addEventListener("error", () => list.classList.remove("live"));
}

// The script ends the page, so the document is there to work on.
(() => {
  localTimes(document);
  const list = document.getElementById("requests");
  if (list && list.dataset.stream) liveRequests(list);
})();
