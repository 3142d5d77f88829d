// Searchable comboboxes for every <select data-combobox> (Tom Select, from npm; see
// templates/components/combobox_assets.html). Reusable: any page that includes the assets and
// marks a select gets one. The select stays the form's field, so forms post what they always did.
//
//   data-combobox                  enhance this select (single or multiple)
//   data-combobox-placeholder="…"  the search box's placeholder
//   data-combobox-create="<url>"   offer "Create …" for text that matches nothing: POSTs
//                                  name=<text> and expects {"value", "text"} (or {"error"})
//
// Keyboard: type to filter, arrows to move, Enter picks (and closes), Backspace removes the last
// chosen tag; several tags are picked one after another, no modifier keys.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function createWith(select, url) {
    return function (input, callback) {
      var body = new URLSearchParams();
      body.set("name", input);
      fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
        body: body,
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().catch(function () { return { error: "Could not create it." }; });
      }).then(function (data) {
        if (data && data.value) {
          callback({ value: data.value, text: data.text });
        } else {
          callback();
          showError(select, (data && data.error) || "Could not create it.");
        }
      }).catch(function () {
        callback();
        showError(select, "Could not create it.");
      });
    };
  }

  function showError(select, text) {
    var wrapper = select.tomselect && select.tomselect.wrapper;
    if (!wrapper) return;
    var note = wrapper.parentNode.querySelector(".combobox-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "field-error combobox-error";
      note.setAttribute("role", "alert");
      wrapper.parentNode.insertBefore(note, wrapper.nextSibling);
    }
    note.textContent = text;
  }

  // Tom Select's open() calls focus(), which re-runs onFocus in a setTimeout, and onFocus opens
  // the list. On a busy machine that timer fires after the keys that followed: the letters and
  // the Enter that picked an option and closed the list. The late onFocus then reopens it with
  // what is left, and the next Enter (meant to start the timer) picks another tag. The re-run
  // only matters when the control was not focused yet; when it already is, it is skipped.
  // (Tom Select's plugin API: an "instead" hook.)
  function defineNoLateReopen() {
    if (defineNoLateReopen.done) return;
    defineNoLateReopen.done = true;
    window.TomSelect.define("no_late_reopen", function () {
      var self = this;
      var onFocus = self.onFocus;
      self.hook("instead", "onFocus", function (event) {
        if (!event && self.isFocused) {
          self.refreshState();
          return;
        }
        return onFocus.apply(self, arguments);
      });
    });
  }

  function enhance(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") return;
    defineNoLateReopen();
    var multiple = select.multiple;
    var url = select.dataset.comboboxCreate;
    var settings = {
      allowEmptyOption: !multiple,
      closeAfterSelect: true,
      hideSelected: multiple,
      maxOptions: 1000,
      refreshThrottle: 0, // filter on every key: Enter right after typing picks what was typed
      selectOnTab: true,
      placeholder: select.dataset.comboboxPlaceholder || "",
      plugins: multiple ? ["no_late_reopen", "remove_button"] : ["no_late_reopen"],
      create: url ? createWith(select, url) : false,
      createFilter: function (input) { return input.trim().length > 0; },
      render: {
        option_create: function (data, escape) {
          return '<div class="create">Create <strong>' + escape(data.input) + "</strong></div>";
        },
        no_results: function () { return '<div class="no-results">No match</div>'; },
      },
    };
    new window.TomSelect(select, settings);
    // The project picker's own search box is not needed once the combobox searches.
    var host = select.closest("[data-combobox-host]");
    var search = host && host.querySelector("[data-picker-search]");
    if (search) search.hidden = true;
    // Tom Select points the select's <label> at its search input (naming it); the select,
    // still the form's field, keeps the same name through aria-labelledby.
    var labelled = select.tomselect.control_input &&
      select.tomselect.control_input.getAttribute("aria-labelledby");
    if (labelled) select.setAttribute("aria-labelledby", labelled);
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[data-combobox]").forEach(enhance);
  }

  window.comboboxEnhance = enhanceAll;
  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.detail.elt); });
})();
