// Pagefind's default UI. The full article list below it works without JavaScript.
window.addEventListener("DOMContentLoaded", function () {
  if (typeof PagefindUI !== "function") return;
  var target = document.getElementById("search");
  new PagefindUI({element: "#search", showSubResults: true});
  var input = target.querySelector("input");
  if (input) {
    var label = document.createElement("label");
    input.id = "search-input";
    label.htmlFor = input.id;
    label.className = "search-label";
    label.textContent = "Search all articles";
    target.before(label);
  }
  document.getElementById("search-note").hidden = true;
});
