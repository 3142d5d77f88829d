// Keyboard-first start on the tracker: the description field offers the member's recent entries
// that match what they type (description with project, task and tags). On an empty field the
// most recent entry is highlighted, so Enter fills it in and a second Enter starts it: a repeat
// of yesterday's work is two keystrokes. Arrow keys move, Enter or a click fills in, Escape
// closes. Without JavaScript the field is a plain text field.
(function () {
  "use strict";

  var input = document.querySelector("[data-suggest]");
  if (!input) return;
  var list = document.getElementById(input.getAttribute("aria-controls"));
  var form = input.form;
  var items = [];
  var active = -1;
  var pending = null;
  var lastQuery = null;
  var closing = null; // the blur's pending close, cancelled if the field gets focus back

  function setExpanded(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
      li.classList.toggle("is-active", i === index);
    });
    if (index >= 0 && list.children[index]) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(suggestions, query) {
    items = suggestions;
    lastQuery = query; // the query these items answer
    list.textContent = "";
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.className = "suggestion";
      var what = document.createElement("span");
      what.className = "suggestion__description";
      what.textContent = s.description || "(no description)";
      li.appendChild(what);
      if (s.project) {
        var project = document.createElement("span");
        project.className = "suggestion__project";
        project.textContent = s.project + (s.task ? " \u203A " + s.task : "") + (s.client ? " \u00B7 " + s.client : "");
        li.appendChild(project);
      }
      s.tags.forEach(function (name) {
        var tag = document.createElement("span");
        tag.className = "badge";
        tag.textContent = name;
        li.appendChild(tag);
      });
      li.addEventListener("mousedown", function (event) { event.preventDefault(); });
      li.addEventListener("click", function () { fill(i); });
      list.appendChild(li);
    });
    setExpanded(suggestions.length > 0);
    highlight(query === "" && suggestions.length ? 0 : -1);
  }

  function load() {
    var query = input.value.trim();
    if (query === lastQuery && items.length) { setExpanded(true); return; }
    var url = input.dataset.suggest + "?q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) {
        if (input.value.trim() !== query) return; // typed on meanwhile
        if (document.activeElement !== input) return;
        render(data.suggestions || [], query);
      })
      .catch(function () { setExpanded(false); });
  }

  function setSelect(select, value) {
    if (!select) return;
    if (select.tomselect) {
      select.tomselect.setValue(value, true);
    } else if (select.multiple) {
      Array.prototype.forEach.call(select.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
    } else {
      select.value = value;
    }
  }

  function fill(index) {
    var s = items[index];
    if (!s) return;
    input.value = s.description;
    setSelect(form.querySelector("select[name=project_task]"), s.projectTask);
    setSelect(form.querySelector("select[name=tags]"), s.tagIds);
    var billable = form.querySelector("[data-billable-toggle]");
    if (billable) billable.checked = !!s.billable;
    lastQuery = input.value.trim();
    setExpanded(false);
    input.dataset.filled = "1";
    input.focus();
  }

  input.addEventListener("focus", function () {
    clearTimeout(closing);
    load();
  });
  if (document.activeElement === input) load(); // autofocus happened before this script ran
  input.addEventListener("input", function () {
    delete input.dataset.filled;
    clearTimeout(pending);
    pending = setTimeout(load, 120);
  });
  input.addEventListener("blur", function () {
    closing = setTimeout(function () { setExpanded(false); }, 100);
  });
  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && items.length > 0;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) { load(); return; }
      highlight(Math.min(items.length - 1, active + 1));
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(Math.max(-1, active - 1));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault(); // fill in; the next Enter starts the timer
      fill(active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      setExpanded(false);
    }
  });
})();
