// Small progressive enhancements shared by every page. Pages work without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(confirmText(button))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// A bulk delete's question says how many of the selected entries were sent to QuickBooks (their
// checkboxes carry data-delete-warning).
function confirmText(button) {
  let text = button.dataset.confirm;
  if (button.hasAttribute("data-confirm-selected") && button.form) {
    const sent = document.querySelectorAll(
      `input[form="${button.form.id}"]:checked[data-delete-warning]`).length;
    if (sent) {
      text += ` ${sent} of them ${sent === 1 ? "was" : "were"} sent to QuickBooks: QuickBooks ` +
        "keeps the values sent; deleting here does not delete them there.";
    }
  }
  return text;
}

// On a phone the sidebar is one scrolling row: show the current page's link.
document.addEventListener("DOMContentLoaded", () => {
  const current = document.querySelector('.sidebar [aria-current="page"]');
  if (current) current.scrollIntoView({ block: "nearest", inline: "nearest" });
});

// Escape closes an open disclosure menu (the workspace switcher) and returns focus to it.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = event.target.closest && event.target.closest("details.ws-switcher[open]");
  if (open) {
    open.open = false;
    open.querySelector("summary").focus();
  }
});

// Behaviour that used to be inline handlers (the Content-Security-Policy allows no inline script):
// a select that applies its form when changed; a field whose text is selected when clicked (a
// key to copy); a typed date that switches the report's range to "custom".
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("[data-autosubmit]") && target.form) target.form.submit();
  if (target.matches("[data-custom-range]") && target.form && target.form.range) {
    target.form.range.value = "custom";
  }
});
document.addEventListener("click", (event) => {
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});
