// Served only by `invoke livereload`: reloads this page when a rebuild rewrote it, and shows a
// failed build's problems over the page until the next build succeeds.
(() => {
  "use strict";
  const here = () => location.pathname.replace(/index\.html$/, "");
  const events = new EventSource("/__reload/events");
  let boot = null;
  let box = null;

  const clearProblems = () => {
    if (box) box.remove();
    box = null;
  };

  const showProblems = (problems) => {
    clearProblems();
    box = document.createElement("section");
    box.setAttribute("role", "alert");
    box.setAttribute("aria-label", "The site did not build");
    box.style.cssText =
      "position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:60vh;overflow:auto;" +
      "margin:0;padding:1rem 1.25rem;background:#fff4f4;color:#5c0000;" +
      "border-bottom:3px solid #b00020;font:15px/1.5 system-ui,sans-serif;white-space:pre-wrap";
    const title = document.createElement("strong");
    title.textContent = "The site did not build. Fix this and save again:";
    const list = document.createElement("ul");
    for (const problem of problems) {
      const item = document.createElement("li");
      item.textContent = problem;
      list.append(item);
    }
    box.append(title, list);
    document.body.append(box);
  };

  events.addEventListener("hello", (event) => {
    const value = JSON.parse(event.data);
    if (boot !== null && boot !== value) location.reload();
    boot = value;
  });
  events.addEventListener("quick", (event) => {
    const { pages } = JSON.parse(event.data);
    if (pages.includes(here())) location.reload();
  });
  events.addEventListener("full", (event) => {
    const { unchanged } = JSON.parse(event.data);
    clearProblems();
    if (!unchanged.includes(here())) location.reload();
  });
  events.addEventListener("failed", (event) => {
    showProblems(JSON.parse(event.data).problems);
  });
})();
