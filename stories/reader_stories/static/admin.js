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

/* Single-key shortcuts on a list: j and k move between stories, x ticks, a approves, r goes to
   the reason for rejecting, s marks as spam, / goes to the search, ? lists them. Off until the
   moderator switches them on (remembered in this browser), so they never take a key a screen
   reader or a habit expects (WCAG 2.1.4); never while typing in a field, never with Ctrl, Alt
   or Meta. Without this script the switch and the list stay hidden. */
(function () {
  "use strict";
  var panel = document.querySelector("[data-shortcuts]");
  if (!panel) {
    return;
  }
  var STORAGE_KEY = "nextround-admin-shortcuts";
  var toggle = panel.querySelector("[data-shortcuts-switch]");
  var dialog = document.getElementById("shortcuts-help");
  var opener = panel.querySelector("[data-shortcuts-open]");
  var returnTo = null;

  function remembered() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) === "on";
    } catch (error) {
      return false;
    }
  }

  function remember(on) {
    try {
      window.localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
    } catch (error) {
      /* Storage refused (a private window): the switch still works until the page changes. */
    }
  }

  panel.hidden = false;
  toggle.checked = remembered();
  toggle.addEventListener("change", function () {
    remember(toggle.checked);
  });

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll(".admin-list .admin-story"));
  }

  function currentCard() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".admin-list .admin-story") : null;
  }

  function focusCard(card) {
    if (!card) {
      return;
    }
    card.setAttribute("tabindex", "-1");
    card.focus();
  }

  function move(step) {
    var all = cards();
    var index = all.indexOf(currentCard());
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : index + step;
    if (next >= 0 && next < all.length) {
      focusCard(all[next]);
    }
  }

  function press(card, selector) {
    var button = card && card.querySelector(selector);
    if (button) {
      button.click();
    }
  }

  function openHelp() {
    returnTo = document.activeElement;
    dialog.showModal();
  }

  opener.addEventListener("click", openHelp);
  dialog.addEventListener("close", function () {
    if (returnTo && returnTo.focus) {
      returnTo.focus();
    }
  });

  function typing(element) {
    if (!element || !element.closest) {
      return false;
    }
    if (element.isContentEditable || element.closest("textarea, select, dialog[open]")) {
      return true;
    }
    var type = element.tagName === "INPUT" ? (element.type || "text").toLowerCase() : "";
    return element.tagName === "INPUT" && type !== "checkbox" && type !== "radio";
  }

  var actions = {
    j: function () { move(1); },
    k: function () { move(-1); },
    x: function (card) {
      var box = card && card.querySelector('input[type="checkbox"][name="ids"]');
      if (box) {
        box.click();
      }
    },
    a: function (card) { press(card, 'form[action$="/approve"] button[type="submit"]'); },
    s: function (card) { press(card, 'form[action$="/spam"] button[type="submit"]'); },
    r: function (card) {
      var reason = card && card.querySelector('form[action$="/reject"] input[name="reason"]');
      if (reason) {
        reason.focus();
      }
    },
    "/": function () {
      var search = document.getElementById("filter-text");
      if (search) {
        search.focus();
        search.select();
      }
    },
    "?": openHelp
  };

  document.addEventListener("keydown", function (event) {
    if (!toggle.checked || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target)) {
      return;
    }
    var action = actions[event.key];
    if (!action) {
      return;
    }
    event.preventDefault();
    action(currentCard());
  });
})();
