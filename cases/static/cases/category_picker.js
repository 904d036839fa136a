// The report form's category picker: the user's recent categories first, then 大类 → 小类 in two steps, and a search
// box that matches names, codes, pinyin and pinyin initials (the options' data-search, spelled by the server). It
// reads and sets the plain <select> (which works alone without JavaScript) and shows the chosen category with its
// default priority. Every choice is a button (keyboard, touch and screen readers alike); the arrow keys move between
// the buttons of a group, Enter in the search box takes the first match, Escape goes back to the classes.
(function () {
  const picker = document.querySelector("[data-category-picker]");
  const select = document.getElementById("id_category");
  if (!picker || !select) return;
  const plain = document.querySelector("[data-category-plain]");
  const search = picker.querySelector("#category-search");
  const parts = {
    recent: picker.querySelector("[data-picker-recent]"),
    classes: picker.querySelector("[data-picker-classes]"),
    subs: picker.querySelector("[data-picker-subs]"),
    results: picker.querySelector("[data-picker-results]"),
  };
  const chosenBox = picker.querySelector("[data-picker-chosen-box]");

  const categories = Array.from(select.options)
    .filter((option) => option.value && option.dataset.name)
    .map((option) => ({ value: option.value, ...option.dataset, rank: Number(option.dataset.rank) }))
    .sort((a, b) => a.rank - b.rank);
  const recent = Array.from(select.options).filter((option) => option.dataset.recent === "1");
  const classes = [];
  categories.forEach((category) => {
    let group = classes.find((known) => known.id === category.class);
    if (!group) {
      group = { id: category.class, name: category.className, kind: category.kind, members: [] };
      classes.push(group);
    }
    group.members.push(category);
  });
  const byValue = new Map(categories.map((category) => [category.value, category]));

  function button(text, detail, onChoose) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-outline-primary picker-option";
    element.textContent = text;
    if (detail) {
      const small = document.createElement("span");
      small.className = "picker-detail";
      small.textContent = detail;
      element.append(small);
    }
    element.addEventListener("click", onChoose);
    return element;
  }

  function categoryButton(category, withClass) {
    const element = button(category.name, withClass ? category.kind + " · " + category.className : "", () =>
      choose(category, element),
    );
    element.dataset.value = category.value;
    element.setAttribute("aria-pressed", String(select.value === category.value));
    return element;
  }

  function show(name) {
    Object.entries(parts).forEach(([key, part]) => {
      part.hidden = key === "recent" ? name !== "classes" || !recent.length : key !== name;
    });
  }

  function openClass(group, focus) {
    parts.subs.querySelector("[data-picker-subs-title]").textContent = group.kind + " · " + group.name;
    const holder = parts.subs.querySelector(".picker-options");
    holder.replaceChildren(...group.members.map((category) => categoryButton(category, false)));
    show("subs");
    if (focus) (holder.querySelector("[aria-pressed=true]") || holder.firstElementChild).focus();
  }

  function choose(category, element) {
    select.value = category.value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    picker.querySelectorAll("[aria-pressed]").forEach((other) => {
      other.setAttribute("aria-pressed", String(other.dataset.value === category.value));
    });
    chosen();
    if (element) element.focus();
  }

  function chosen() {
    const category = byValue.get(select.value);
    chosenBox.hidden = !category;
    if (!category) return;
    chosenBox.querySelector("[data-chosen-name]").textContent = category.className + " / " + category.name;
    chosenBox.querySelector("[data-chosen-priority]").textContent = category.priorityLabel;
  }

  function filter() {
    const typed = search.value.trim().toLowerCase().replace(/\s+/g, "");
    if (!typed) {
      show("classes");
      return;
    }
    const found = categories.filter((category) => category.search.includes(typed));
    parts.results.querySelector(".picker-options").replaceChildren(...found.map((c) => categoryButton(c, true)));
    parts.results.querySelector("[data-picker-none]").hidden = found.length > 0;
    show("results");
  }

  // The first step: recent categories, then the classes under their kind (事件, 部件, 社会治理).
  parts.recent
    .querySelector(".picker-options")
    .replaceChildren(...recent.map((option) => categoryButton(byValue.get(option.value), true)));
  const kinds = picker.querySelector("[data-picker-kinds]");
  const kindNames = [...new Set(classes.map((group) => group.kind))];
  kindNames.forEach((kind, index) => {
    const title = document.createElement("p");
    title.className = "picker-kind";
    title.id = "picker-kind-" + index;
    title.textContent = kind;
    const holder = document.createElement("div");
    holder.className = "picker-options";
    holder.setAttribute("role", "group");
    holder.setAttribute("aria-labelledby", title.id);
    classes
      .filter((group) => group.kind === kind)
      .forEach((group) => {
        const element = button(group.name, "", () => openClass(group, true));
        element.dataset.class = group.id;
        holder.append(element);
      });
    kinds.append(title, holder);
  });

  parts.subs.querySelector("[data-picker-back]").addEventListener("click", () => {
    const from = parts.subs.querySelector("[data-picker-subs-title]").textContent;
    show("classes");
    const group = classes.find((known) => known.kind + " · " + known.name === from);
    const back = group && kinds.querySelector(`[data-class="${group.id}"]`);
    if (back) back.focus();
  });
  search.addEventListener("input", filter);
  search.addEventListener("keydown", (event) => {
    const first = picker.querySelector("[data-picker-results]:not([hidden]) .picker-option");
    if (event.key === "Enter") {
      event.preventDefault(); // never submits the report from the search box
      if (first) first.click();
    } else if (event.key === "ArrowDown" && !parts.results.hidden && first) {
      event.preventDefault();
      first.focus();
    }
  });
  picker.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !parts.subs.hidden) {
      event.preventDefault();
      parts.subs.querySelector("[data-picker-back]").click();
      return;
    }
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    const current = event.target.closest(".picker-option");
    if (!step || !current) return;
    const options = Array.from(picker.querySelectorAll(".picker-option")).filter((option) => option.offsetParent);
    const next = options[options.indexOf(current) + step];
    if (next) {
      event.preventDefault();
      next.focus();
    } else if (step < 0 && !parts.results.hidden) {
      event.preventDefault();
      search.focus();
    }
  });

  plain.hidden = true;
  picker.hidden = false;
  const start = byValue.get(select.value);
  if (start) {
    chosen();
    openClass(classes.find((group) => group.id === start.class), false);
  } else {
    show("classes");
  }
})();
