// Reading the worker's data with the device's token. The service worker answers from its last copy when the
// network is gone; a token the server no longer takes sends the app back to sign-in (the outbox stays).
import { api, ApiError } from "./api.js";
import { alertBox, h, t } from "./dom.js";
import { session, sessionForget } from "./outbox.js";

export async function get(path, query = {}) {
  const current = await session();
  try {
    return await api(path, { token: current && current.token, query });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) await sessionForget();
    throw error;
  }
}

/** A box that loads `load()` and draws its answer with `draw(data)`, or says why it could not. */
export function loading(load, draw) {
  const box = h("div", { class: "m-loading-box", "aria-busy": "true" }, h("p", { class: "text-body-secondary" }, t("loading")));
  load()
    .then((data) => box.replaceChildren(...[draw(data)].flat().filter((child) => child !== null && child !== undefined)))
    .catch((error) => box.replaceChildren(alertBox(error.status ? error.message : t("offline_no_copy"), "secondary")))
    .finally(() => box.removeAttribute("aria-busy"));
  return box;
}

/** The device's position once: {lon, lat, accuracy} or an error message. */
export function positionOnce() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error(t("gps_unavailable")));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (fix) => resolve({ lon: fix.coords.longitude, lat: fix.coords.latitude, accuracy: fix.coords.accuracy }),
      (error) => reject(new Error(error.code === 1 ? t("gps_denied") : t("gps_failed"))),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 10_000 },
    );
  });
}

/** A photo input: the camera on a phone; several photos; previews. Answers {element, files()}. */
export function photoPicker(label, name, { multiple = true } = {}) {
  const input = h("input", { type: "file", accept: "image/*", capture: "environment", class: "m-file-input", name, multiple });
  const previews = h("div", { class: "m-previews" });
  input.addEventListener("change", () => {
    previews.replaceChildren(
      ...Array.from(input.files, (file) => h("img", { src: URL.createObjectURL(file), alt: file.name, class: "m-preview" })),
    );
  });
  const id = `p-${name}`;
  input.id = id;
  const count = h("span", { class: "m-file-count ms-2" });
  input.addEventListener("change", () => {
    count.textContent = input.files.length ? t("photo_count", { count: input.files.length }) : "";
  });
  const element = h("div", { class: "mb-3" },
    h("div", { class: "form-label" }, label),
    input,
    h("label", { class: "btn btn-outline-primary btn-lg m-file-button", for: id }, t("take_photo")),
    count,
    previews);
  return {
    element,
    input,
    files: () => Array.from(input.files, (file) => ({ field: name, blob: file, name: file.name })),
    clear: () => {
      input.value = "";
      previews.replaceChildren();
    },
  };
}

/** The position line of a form: "locating…", then the fix with its accuracy; a button to try again.
 * `onChange(fix)` hears each attempt's end (`null` when there is no fix). */
export function gpsLine({ onChange = null } = {}) {
  let position = null;
  const where = h("p", { class: "m-gps mb-0", id: "m-gps", "aria-live": "polite" }, t("gps_locating"));
  const locate = () => {
    where.textContent = t("gps_locating");
    positionOnce()
      .then((fix) => {
        position = fix;
        where.textContent = t("gps_fix", { accuracy: Math.round(fix.accuracy) });
        where.dataset.accuracy = String(Math.round(fix.accuracy));
        if (onChange) onChange(fix);
      })
      .catch((error) => {
        position = null;
        where.textContent = error.message;
        if (onChange) onChange(null);
      });
  };
  const element = h("div", { class: "mb-3 d-flex align-items-center justify-content-between gap-2" }, where,
    h("button", { class: "btn btn-outline-secondary m-touch", type: "button", onclick: locate }, t("gps_again")));
  locate();
  return { element, position: () => position };
}

/** Today's date on the device, YYYY-MM-DD. */
export function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/** A select of the worker's grids (the only one chosen already). */
export function gridPicker(session, name = "grid_code") {
  const grids = session.user.grids || [];
  const select = h("select", { class: "form-select form-select-lg", name },
    grids.length === 1 ? null : h("option", { value: "" }, t("visit_grid_pick")),
    grids.map((grid) => h("option", { value: grid.code }, `${grid.name} (${grid.code})`)));
  return select;
}

/** A select built from the shell's words of a choice (`prefix` + value). */
export function choiceSelect(name, prefix, values, chosen = "") {
  return h("select", { class: "form-select form-select-lg", name },
    values.map((value) => h("option", { value, selected: value === chosen }, t(prefix + value))));
}

const EARTH_M = 6371008.8;

/** Metres between two {lon, lat} on the ground (haversine). */
export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.sqrt(s));
}
