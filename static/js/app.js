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
