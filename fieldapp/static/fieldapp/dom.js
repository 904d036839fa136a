// Small helpers of the pages: the shell's words and settings, building elements, a toast.

function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : {};
}

export const config = readJson("m-config");
const strings = readJson("m-strings");

/** The shell's word for `key` (from the server's catalogue, in the user's language), `{name}` filled in. */
export function t(key, values = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** An element: h("button", {class: "btn", onclick: fn}, "text", child…). Text is always set as text. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let toastTimer = 0;

/** A short message at the bottom, read out by screen readers. */
export function toast(message, tone = "dark") {
  const box = document.getElementById("m-toast");
  box.replaceChildren(h("div", { class: `m-toast-body text-bg-${tone}` }, message));
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.replaceChildren(), 4000);
}

const timeFormat = new Intl.DateTimeFormat(config.language === "en" ? "en-GB" : "zh-CN", {
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

export function when(value) {
  return value ? timeFormat.format(new Date(value)) : "";
}

/** A labelled form field (label above, big control). */
export function field(label, control, help = null) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return h(
    "div",
    { class: "mb-3" },
    h("label", { class: "form-label", for: id }, label),
    control,
    help ? h("div", { class: "form-text", id: `${id}-help` }, help) : null,
  );
}

/** A refusal or a problem shown above a form. */
export function alertBox(message, tone = "danger") {
  return h("div", { class: `alert alert-${tone}`, role: "alert" }, message);
}
