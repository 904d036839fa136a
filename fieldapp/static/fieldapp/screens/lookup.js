// 查询: the buildings of my grids, each with its houses and the people living there, masked as on the web
// (ID numbers and phones never in clear); a resident's 走访 opens the visit form. What was looked at stays
// readable offline; "keep for offline" reads every building of the grid now.
import { h, t, toast } from "../dom.js";
import { get, loading } from "../data.js";
import { visitSubjectHand } from "./visit.js";

const BUILDINGS_MAX = 500;
const PEOPLE_MAX = 500;

function gridsOf(session) {
  return (session.user.grids || []).map((grid) => grid.code);
}

function buildingsOf(codes) {
  return Promise.all(codes.map((code) => get("buildings", { area: code, limit: BUILDINGS_MAX }))).then((lists) => lists.flat());
}

function peopleOf(codes) {
  return Promise.all(codes.map((code) => get("persons", { grid: code, limit: PEOPLE_MAX }))).then((pages) => pages.flatMap((page) => page.results));
}

function personLine(person) {
  const facts = [person.relation_to_head, person.id_number, person.phone].filter(Boolean);
  const visit = h("a", { class: "btn btn-outline-primary btn-sm m-touch ms-2", href: `#visit/new?person=${person.id}`, dataset: { visitPerson: person.id }, onclick: () => visitSubjectHand(person) }, t("visit_person"));
  return h("li", { class: "m-person d-flex justify-content-between align-items-center gap-2" },
    h("span", {}, h("strong", {}, person.name), facts.length ? ` · ${facts.join(" · ")}` : ""), visit);
}

function buildingDetail(building, people) {
  return loading(() => get(`buildings/${building.id}/houses`), (houses) => houses.length
    ? h("ul", { class: "list-unstyled m-houses" }, houses.map((house) => {
      const living = people.filter((person) => person.house_id === house.id);
      return h("li", { class: "m-house", dataset: { house: house.id } },
        h("div", { class: "fw-semibold" }, house.address, house.is_rental ? h("span", { class: "badge text-bg-info ms-2" }, t("rental")) : null),
        living.length ? h("ul", { class: "m-people" }, living.map(personLine)) : h("div", { class: "text-body-secondary" }, t("no_people")));
    }))
    : h("p", { class: "text-body-secondary" }, t("no_houses")));
}

export async function lookupScreen(view, { session }) {
  const codes = gridsOf(session);
  const filter = h("input", { class: "form-control form-control-lg mb-3", type: "search", id: "m-lookup-filter", placeholder: t("lookup_filter"), "aria-label": t("lookup_filter") });
  let buildings = [];
  let people = [];
  const list = h("div", { class: "list-group", id: "m-buildings" });
  const draw = () => {
    const text = filter.value.trim();
    const shown = buildings.filter((building) => !text || building.address.includes(text));
    list.replaceChildren(...shown.map((building) => {
      const details = h("details", { class: "list-group-item m-row", dataset: { building: building.id } },
        h("summary", {}, h("strong", {}, building.address), h("span", { class: "text-body-secondary ms-2" }, t("floors", { floors: building.floors }))));
      details.addEventListener("toggle", () => {
        if (details.open && details.childElementCount === 1) details.append(buildingDetail(building, people));
      }, { once: false });
      return details;
    }));
    if (!shown.length) list.replaceChildren(h("p", { class: "text-body-secondary" }, t("no_buildings")));
  };
  filter.addEventListener("input", draw);
  const keep = async () => {
    try {
      for (const building of buildings) await get(`buildings/${building.id}/houses`);
      toast(t("kept_offline", { count: buildings.length }), "success");
    } catch {
      toast(t("network_error"), "danger");
    }
  };
  view.append(
    filter,
    loading(() => Promise.all([buildingsOf(codes), peopleOf(codes)]), ([found, living]) => {
      buildings = found;
      people = living;
      draw();
      return [
        h("p", { class: "text-body-secondary" }, t("lookup_counts", { buildings: buildings.length, people: people.length })),
        list,
        h("button", { class: "btn btn-outline-primary btn-lg w-100 mt-3", type: "button", onclick: keep }, t("keep_offline")),
      ];
    }),
  );
}
