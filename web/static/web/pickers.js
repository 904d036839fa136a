// Searchable pickers (Tom Select, from npm) for the multi-selects marked data-picker by gridgov.forms.StyledForm,
// on the first page load and on every piece of page htmx swaps in. The select stays the form's field, and Tom
// Select ties the field's label to its search box.
(function () {
  if (!window.TomSelect || !window.htmx) return;
  htmx.onLoad((root) => {
    const scope = root.querySelectorAll ? root : document;
    scope.querySelectorAll("select[multiple][data-picker]").forEach((select) => {
      if (select.tomselect) return;
      new TomSelect(select, {
        maxOptions: null,
        onItemAdd() {
          this.setTextboxValue("");
          this.refreshOptions(false);
        },
      });
    });
  });
})();
