/* The moderation admin's one script: an enhancement of the lists' bulk form, which works the
   same without it (every button is a plain form post; ticks survive the round trip).
   With it: a live count of ticked stories, "Tick all" without a reload, and Enter on a tick
   box does nothing instead of sending the form. */
(function () {
  "use strict";
  var form = document.getElementById("bulk");
  if (!form) {
    return;
  }
  var boxSelector = 'input[type="checkbox"][name="ids"][form="bulk"]';

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll(boxSelector));
  }

  function update() {
    var all = boxes();
    var ticked = all.filter(function (box) { return box.checked; }).length;
    var words = ticked === 1 ? "1 story ticked" : ticked + " stories ticked";
    document.querySelectorAll("[data-ticked-count]").forEach(function (count) {
      if (count.textContent !== words) {
        count.textContent = words;
      }
      count.hidden = false;
    });
    var every = all.length > 0 && ticked === all.length;
    document.querySelectorAll("[data-tick-toggle]").forEach(function (toggle) {
      toggle.value = every ? "tick-none" : "tick-all";
      toggle.textContent = every ? "Untick all" : "Tick all " + all.length + " on this page";
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches(boxSelector)) {
      update();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches(boxSelector)) {
      event.preventDefault();
    }
  });
  document.querySelectorAll("[data-tick-toggle]").forEach(function (toggle) {
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      var tick = toggle.value === "tick-all";
      boxes().forEach(function (box) { box.checked = tick; });
      update();
    });
  });
  update();
})();
