// mockcommand dashboard: local times, the live request view, and
// auto-submitting selects. Everything else works without JavaScript.
"use strict";

// localTimes shows each <time> in the browser's zone, keeping the UTC
// value (already its title) for hovering.
function localTimes(root) {
  for (const el of root.querySelectorAll("time[datetime]")) {
    if (el.dataset.local) continue;
    const d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) continue;
    el.textContent = d.toLocaleString(undefined, {
      year: "numeric", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
    });
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

document.addEventListener("DOMContentLoaded", () => {
  localTimes(document);
  const list = document.getElementById("requests");
  if (list && list.dataset.stream) liveRequests(list);
  for (const sel of document.querySelectorAll("select[data-autosubmit]")) {
    sel.addEventListener("change", () => sel.form.requestSubmit());
  }
});
