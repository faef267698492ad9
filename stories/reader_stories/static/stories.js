/* Reader stories: send the story form, "This helped me" and the follow form in place. All work
   without it. */
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) return;
  var script = document.currentScript;

  // "This helped me": count in place, and say so next to the button.
  document.querySelectorAll("form.story__helped").forEach(function (helped) {
    var press = helped.querySelector("button"), count = helped.querySelector(".story__helped-count");
    helped.addEventListener("submit", function (event) {
      event.preventDefault();
      press.disabled = true;
      fetch(helped.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ story: helped.elements.story.value })
      }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            press.disabled = false;
            count.textContent = body.error || "Sorry, that did not work. Try again later.";
            return;
          }
          count.textContent = body.count + (body.count === 1 ? " reader" : " readers") +
            " found this helpful. " + body.message;
          var item = helped.closest("li[data-helped]");
          if (item && item.contains(helped) && !helped.closest(".stories__replies")) {
            item.dataset.helped = String(body.count); // the next re-sort uses the new count
          }
        });
      }, function () { helped.submit(); }); // network failed: post it the ordinary way
    });
  });

  // Sort the stories in place: oldest, newest or most helpful first. Replies move with their
  // story (they are inside its list item). The order without script is the page's own.
  var sorter = document.querySelector("[data-stories-sort]");
  var list = document.querySelector(".stories__list");
  if (sorter && list) {
    var choice = sorter.querySelector("select"), said = sorter.querySelector("[role=status]");
    var byAge = function (a, b) {
      return a.dataset.created < b.dataset.created ? -1 : a.dataset.created > b.dataset.created ? 1 :
        Number(a.dataset.story) - Number(b.dataset.story);
    };
    var orders = {
      oldest: byAge,
      newest: function (a, b) { return byAge(b, a); },
      helped: function (a, b) { return Number(b.dataset.helped) - Number(a.dataset.helped) || byAge(a, b); }
    };
    sorter.hidden = false;
    choice.addEventListener("change", function () {
      var items = Array.prototype.slice.call(list.children);
      items.sort(orders[choice.value] || byAge).forEach(function (item) { list.appendChild(item); });
      said.textContent = "Stories sorted: " + choice.options[choice.selectedIndex].text + ".";
    });
  }

  // Follow the article: the answer (always the same words) appears under the form.
  var follow = document.getElementById("follow-form");
  if (follow) follow.addEventListener("submit", function (event) {
    var said = document.getElementById("follow-status"), go = follow.querySelector("button");
    event.preventDefault();
    go.disabled = true;
    fetch(follow.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ article: follow.elements.article.value,
        token: follow.elements.token.value, email: follow.elements.email.value,
        frequency: follow.elements.frequency.value })
    }).then(function (response) {
      return response.json().then(function (body) {
        go.disabled = false;
        said.textContent = body.message || body.error || "Sorry, that did not work. Try again later.";
        if (response.ok) follow.elements.email.value = "";
      });
    }, function () { follow.submit(); }); // network failed: post it the ordinary way
  });

  var form = document.getElementById("story-form");
  if (!form) return;

  // Proof of work (ALTCHA): once the reader starts on the form, the widget (served beside this
  // script) fetches a challenge from the intake and solves it in the background; the story
  // then carries the solution in the field "altcha". The widget stays outside the form, so it
  // never holds a story back: one sent before the proof is ready goes without it, and is taken.
  var widgetSource = script && script.src.replace(/stories\.js(\?.*)?$/, "altcha.min.js");
  var proof = "";
  function startProof() {
    form.removeEventListener("focusin", startProof);
    if (!widgetSource || !window.customElements || !form.dataset.article) return;
    var widget = document.createElement("altcha-widget");
    var challenge = new URL("challenge", form.action);
    challenge.searchParams.set("article", form.dataset.article);
    widget.setAttribute("challenge", challenge.href);
    widget.setAttribute("auto", "onload");
    widget.setAttribute("display", "invisible");
    widget.setAttribute("name", "altcha");
    // No record of the reader's pointer and scrolling travels with the proof.
    widget.setAttribute("configuration", JSON.stringify({ humanInteractionSignature: false }));
    widget.hidden = true;
    widget.addEventListener("verified", function (event) {
      proof = (event.detail && event.detail.payload) || "";
    });
    form.after(widget);
    var loader = document.createElement("script");
    loader.src = widgetSource;
    document.head.append(loader);
  }
  form.addEventListener("focusin", startProof);
  var status = document.getElementById("story-form-status");
  var summary = document.getElementById("story-form-errors");
  var button = form.querySelector("[type=submit]");
  var preview = document.getElementById("story-preview");
  var previewed = preview && preview.querySelector(".story-preview__story");

  function make(tag, text) {
    var node = document.createElement(tag);
    node.textContent = text || "";
    return node;
  }

  function clearErrors() {
    form.querySelectorAll(".field__error").forEach(function (note) { note.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      var ids = input.getAttribute("aria-describedby") || "";
      input.setAttribute("aria-describedby", ids.replace(/\s*story-\S+-error/g, "").trim());
      input.removeAttribute("aria-invalid");
    });
    summary.hidden = true;
    summary.textContent = "";
  }

  function showErrors(errors) {
    var names = Object.keys(errors), list = make("ul"), n = names.length;
    names.forEach(function (name) {
      var id = "story-" + name, input = document.getElementById(id);
      var link = make("a", errors[name]), note = make("p", errors[name]);
      link.href = "#" + id;
      list.appendChild(make("li")).appendChild(link);
      if (!input) return;
      note.className = "field__error";
      note.id = id + "-error";
      if (input.type === "checkbox") input.parentNode.appendChild(note);
      else input.before(note);
      input.setAttribute("aria-invalid", "true");
      var ids = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", (ids ? ids + " " : "") + note.id);
    });
    summary.append(make("h4", "Please fix " + n + " problem" + (n > 1 ? "s:" : ":")), list);
    summary.hidden = false;
    summary.focus();
  }

  function showPreview(body) {
    // The story as the intake rendered and sanitised it, with the same template as the page.
    previewed.innerHTML = body.html;
    preview.hidden = false;
    status.textContent = body.message;
    preview.focus();
  }

  function answer(code, body) {
    button.disabled = false;
    status.textContent = "";
    if (code === 200 && body.status === "preview" && preview) return showPreview(body);
    if (preview) preview.hidden = true;
    if (code === 422 && body.errors) return showErrors(body.errors);
    if (code === 202) form.elements.story.value = "";
    status.textContent = body.message || body.error ||
      "Sorry, your story could not be sent (error " + code + "). Try again later.";
    if (body.receipt && body.delete_url) {
      // The receipt came in the body, not in an address; the link to keep carries it, as
      // the one in our emails does, and the page it opens sends no Referer.
      var link = make("a", "Your private link to delete this story: keep it");
      link.href = body.delete_url + "?receipt=" + encodeURIComponent(body.receipt);
      status.append(" ", link);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") data[name] = value;
    });
    var previewing = event.submitter && event.submitter.value === "preview";
    if (previewing) data.intent = "preview";
    if (proof) data.altcha = proof;
    clearErrors();
    button.disabled = true;
    status.textContent = previewing ? "Preparing the preview…" : "Sending your story…";
    fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data)
    }).then(function (response) {
      var done = answer.bind(null, response.status);
      return response.json().then(done, function () { done({}); });
    }, function () {
      if (!previewing) return form.submit(); // network failed: post it the ordinary way
      button.disabled = false; // a plain submit() would send the story, not preview it
      status.textContent = "The preview could not be loaded. Check your connection and try again.";
    });
  });
})();
