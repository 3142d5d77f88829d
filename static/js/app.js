// Small progressive enhancements shared by every page. Pages work without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

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
