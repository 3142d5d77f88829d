// The report filters: the From and To fields follow the Dates choice at once (each preset's
// option carries the dates it means today). Typing a date makes the range custom: app.js's
// data-custom-range handler.
document.addEventListener("change", (event) => {
  const field = event.target;
  const form = field.form;
  if (!form) return;
  if (field.id === "f-range") {
    const option = field.selectedOptions[0];
    if (option && option.dataset.start) {
      form.querySelector("#f-start").value = option.dataset.start;
      form.querySelector("#f-end").value = option.dataset.end;
    }
  }
});
