// 八必报: eight big buttons, then the item's short form. Events (公共设施损坏, 背街小巷不洁, 安全隐患, 不稳定因素)
// go to the case loop with their location and photos; the others propose a registry change with its facts
// (外来人员流入: the newcomer and the house; 房屋出租: the house, the dates and the tenant; 新增孕妇, 居民病重住院: the resident), which the
// community confirms. Saved into the outbox, so it works offline. #must, #must/<item>.
import { alertBox, field, h, t, toast } from "../dom.js";
import { get, gpsLine, gridPicker, loading, photoPicker, today } from "../data.js";
import { outboxAdd } from "../outbox.js";

export const MUST_ITEMS = ["facility_damage", "alley_unclean", "safety_hazard", "instability", "pregnancy", "floating_arrival", "hospitalized", "rented_out"];
const EVENTS = new Set(["facility_damage", "alley_unclean", "safety_hazard", "instability"]);
const WITH_RESIDENT = new Set(["pregnancy", "hospitalized"]);
const DESCRIPTION_MAX = 2000;
const PEOPLE_MAX = 500;
const BUILDINGS_MAX = 500;

function gridCodes(session) {
  return (session.user.grids || []).map((grid) => grid.code);
}

function input(name, type = "text", attributes = {}) {
  return h("input", { class: "form-control form-control-lg", type, name, ...attributes });
}

/** A resident of my grids: a filter by name and a select (read from the copy kept for offline use if need be). */
function residentPicker(session) {
  const select = h("select", { class: "form-select form-select-lg", name: "person_id", size: 1 }, h("option", { value: "" }, t("resident_pick")));
  const filter = input("resident_filter", "search", { placeholder: t("resident_filter"), "aria-label": t("resident_filter"), class: "form-control form-control-lg mb-2" });
  let people = [];
  const draw = () => {
    const text = filter.value.trim();
    select.replaceChildren(h("option", { value: "" }, t("resident_pick")),
      people.filter((person) => !text || person.name.includes(text)).map((person) =>
        h("option", { value: person.id }, [person.name, person.house_address].filter(Boolean).join(" · "))));
  };
  filter.addEventListener("input", draw);
  const element = h("div", { class: "mb-3" },
    h("label", { class: "form-label", for: "m-resident" }, t("resident")),
    filter,
    loading(() => Promise.all(gridCodes(session).map((code) => get("persons", { grid: code, limit: PEOPLE_MAX }))), (pages) => {
      people = pages.flatMap((page) => page.results);
      draw();
      return select;
    }));
  select.id = "m-resident";
  return { element, value: () => select.value };
}

/** A house of my grids: its building, then the house (each building's houses as kept for offline use). */
function housePicker(session) {
  const building = h("select", { class: "form-select form-select-lg mb-2", name: "building_id", id: "m-building", "aria-label": t("lookup_filter") }, h("option", { value: "" }, "—"));
  const house = h("select", { class: "form-select form-select-lg", name: "house_id", id: "m-house" }, h("option", { value: "" }, t("house_pick")));
  const problem = h("div", { "aria-live": "polite" });
  building.addEventListener("change", async () => {
    house.replaceChildren(h("option", { value: "" }, t("house_pick")));
    problem.replaceChildren();
    if (!building.value) return;
    try {
      const houses = await get(`buildings/${building.value}/houses`);
      house.append(...houses.map((item) => h("option", { value: item.id }, item.address)));
    } catch {
      problem.replaceChildren(alertBox(t("lookup_offline_needed"), "secondary"));
    }
  });
  const element = h("div", { class: "mb-3" },
    h("label", { class: "form-label", for: "m-house" }, t("house")),
    loading(() => Promise.all(gridCodes(session).map((code) => get("buildings", { area: code, limit: BUILDINGS_MAX }))), (lists) => {
      building.append(...lists.flat().map((item) => h("option", { value: item.id }, item.address)));
      return building;
    }),
    house,
    problem);
  return { element, value: () => house.value };
}

function chooser() {
  const button = (item) => h("a", { class: `btn btn-lg ${EVENTS.has(item) ? "btn-outline-danger" : "btn-outline-primary"}`, href: `#must/${item}`, dataset: { item } },
    h("span", {}, t(`must_${item}`)),
    h("small", { class: "text-body-secondary" }, t(EVENTS.has(item) ? "must_event_hint" : "must_change_hint")));
  return [h("p", { class: "lead" }, t("must_pick")), h("div", { class: "m-must-grid", id: "m-must" }, MUST_ITEMS.map(button))];
}

/** An event without a GPS fix (denied, or no signal) is reported in one of the worker's grids: shown when the fix fails. */
function gridFallback(session) {
  const grids = session.user.grids || [];
  const select = gridPicker(session);
  select.id = "m-must-grid";
  const element = h("div", { class: "mb-3", id: "m-must-grid-box", hidden: true },
    h("p", { class: "alert alert-warning mb-2", id: "m-must-no-fix" }, t("must_no_fix")),
    h("label", { class: "form-label", for: "m-must-grid" }, t("visit_grid")),
    select);
  return {
    element,
    show: (shown) => { element.hidden = !shown || !grids.length; },
    usable: () => grids.length > 0,
    value: () => select.value,
  };
}

function mustForm(view, item, session, go) {
  const problem = h("div", { "aria-live": "polite" });
  const fallback = EVENTS.has(item) ? gridFallback(session) : null;
  const gps = gpsLine({ onChange: (fix) => fallback && fallback.show(!fix) });
  const description = h("textarea", { class: "form-control form-control-lg", name: "description", rows: 4, maxlength: DESCRIPTION_MAX });
  const photos = photoPicker(t("photos"), "photo");
  const parts = [];
  const facts = {};
  let resident = null;
  let house = null;
  if (item === "floating_arrival") {
    facts.name = input("name", "text", { maxlength: 64, autocomplete: "off" });
    facts.sex = h("select", { class: "form-select form-select-lg", name: "sex" },
      h("option", { value: "" }, "—"), h("option", { value: "male" }, t("sex_male")), h("option", { value: "female" }, t("sex_female")));
    facts.phone = input("phone", "tel", { maxlength: 15, autocomplete: "off", inputmode: "tel" });
    facts.origin_place = input("origin_place", "text", { maxlength: 200 });
    facts.arrival_date = input("arrival_date", "date", { value: today(), max: today() });
    house = housePicker(session);
    parts.push(field(t("name"), facts.name), field(t("sex"), facts.sex), field(t("phone"), facts.phone),
      field(t("origin"), facts.origin_place), field(t("arrival_date"), facts.arrival_date), house.element);
  } else if (item === "rented_out") {
    house = housePicker(session);
    facts.contract_start = input("contract_start", "date", { value: today() });
    facts.contract_end = input("contract_end", "date");
    facts.name = input("name", "text", { maxlength: 64, autocomplete: "off" });
    facts.phone = input("phone", "tel", { maxlength: 15, autocomplete: "off", inputmode: "tel" });
    parts.push(house.element, field(t("rent_start"), facts.contract_start), field(t("rent_end"), facts.contract_end),
      field(t("tenant_name"), facts.name), field(t("phone"), facts.phone));
  } else if (WITH_RESIDENT.has(item)) {
    resident = residentPicker(session);
    facts.day = input("day", "date", { value: today() });
    parts.push(resident.element, field(t("day"), facts.day));
    if (item === "hospitalized") {
      facts.hospital = input("hospital", "text", { maxlength: 100 });
      parts.push(field(t("hospital"), facts.hospital));
    }
  }
  const form = h("form", { novalidate: true, id: "m-must-form", dataset: { item } },
    h("h2", { class: "h5" }, t(`must_${item}`)),
    problem,
    parts,
    field(t("description"), description),
    photos.element,
    gps.element,
    fallback ? fallback.element : null,
    h("button", { class: "btn btn-primary btn-lg w-100", type: "submit" }, t("save_must")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const position = gps.position();
    const problems = [];
    if (EVENTS.has(item) && !description.value.trim()) problems.push(t("description_required"));
    const gridCode = !position && fallback && fallback.usable() ? fallback.value() : "";
    if (EVENTS.has(item) && !position && !fallback.usable()) problems.push(t("gps_required"));
    if (EVENTS.has(item) && !position && fallback.usable() && !gridCode) {
      fallback.show(true);
      problems.push(t("visit_grid_pick"));
    }
    if (item === "floating_arrival" && !facts.name.value.trim()) problems.push(t("must_name_required"));
    if (item === "floating_arrival" && !house.value()) problems.push(t("must_house_required"));
    if (item === "rented_out" && !house.value()) problems.push(t("must_house_required"));
    if (item === "rented_out" && !facts.contract_start.value) problems.push(t("must_date_required"));
    if (resident && !resident.value()) problems.push(t("must_person_required"));
    if (problems.length) {
      problem.replaceChildren(alertBox(problems.join(" ")));
      problem.scrollIntoView();
      return;
    }
    const filled = Object.fromEntries(Object.entries(facts).map(([name, control]) => [name, control.value.trim()]).filter(([, value]) => value));
    const payload = {
      item,
      description: description.value.trim(),
      facts: filled,
      ...(position ? { lon: position.lon, lat: position.lat } : {}),
      ...(gridCode ? { grid_code: gridCode } : {}),
      ...(house && house.value() ? { house_id: Number(house.value()) } : {}),
      ...(resident ? { person_id: Number(resident.value()) } : {}),
    };
    await outboxAdd("must_report", payload, photos.files(), { label: [t(`must_${item}`), payload.description].filter(Boolean).join(" · ") });
    toast(t("saved_to_outbox"), "success");
    go("#outbox");
  });
  view.append(form);
}

export async function mustScreen(view, { args, session, go }) {
  const item = MUST_ITEMS.includes(args[0]) ? args[0] : "";
  if (item) mustForm(view, item, session, go);
  else view.append(...chooser());
}
