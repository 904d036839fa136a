// 走访: today's due visits in the order of a walking route through the grid (overdue ones first), each with
// its light and the distance from the stop before; then the visits of the last days. Each row opens the visit
// form. The agenda stays readable offline (the service worker keeps the last copy).
import { h, t, when } from "../dom.js";
import { distanceM, get, loading, positionOnce, today } from "../data.js";

const RECENT_DAYS = 7;
const LIGHT_RANK = { red: 0, yellow: 1, green: 2 };

/** Overdue first, then the route's order. */
export function agendaOrder(stops) {
  const overdue = (stop) => (stop.light === "red" ? 0 : 1);
  return [...stops].sort((a, b) => overdue(a) - overdue(b) || a.order - b.order);
}

function daysText(stop) {
  if (stop.days_left < 0) return t("agenda_overdue", { days: -stop.days_left });
  if (stop.days_left === 0) return t("agenda_due_today");
  return t("agenda_days_left", { days: stop.days_left });
}

function stopRow(stop) {
  const away = h("span", { class: "m-away", dataset: { away: "" } });
  if (here && typeof stop.lon === "number" && typeof stop.lat === "number") {
    here.then((fix) => {
      away.textContent = t("agenda_away", { distance: Math.round(distanceM(fix, stop)) });
    }).catch(() => {});
  }
  return h("a", { class: "list-group-item list-group-item-action m-row", href: `#visit/new?due=${stop.id}`, dataset: { due: stop.id, light: stop.light } },
    h("div", { class: "d-flex justify-content-between gap-2" },
      h("strong", {}, stop.person_name),
      h("span", { class: `badge m-light-${LIGHT_RANK[stop.light] === undefined ? "none" : stop.light}` }, t(`light_${stop.light}`))),
    h("div", { class: "m-row-text" }, [stop.plan_name, daysText(stop)].filter(Boolean).join(" · ")),
    h("small", { class: "text-body-secondary" },
      [stop.address, stop.leg_m ? t("agenda_leg", { distance: Math.round(stop.leg_m) }) : ""].filter(Boolean).join(" · ")),
    h("div", { class: "small" }, away));
}

function visitRow(visit) {
  return h("a", { class: "list-group-item list-group-item-action m-row", href: `#visit/${visit.id}`, dataset: { visit: visit.id } },
    h("div", { class: "d-flex justify-content-between gap-2" },
      h("strong", {}, visit.subject_label || visit.person_name || visit.grid_code),
      h("span", { class: "text-body-secondary" }, visit.kind_label)),
    h("div", { class: "m-row-text" }, (visit.purpose_labels || []).join(t("list_sep"))),
    h("small", { class: "text-body-secondary" }, when(visit.visited_at),
      visit.follow_ups && visit.follow_ups.length ? ` · ${visit.follow_ups.map((item) => item.case_number).join(" ")}` : ""));
}

function daysAgo(days) {
  const day = new Date(`${today()}T00:00:00`);
  day.setDate(day.getDate() - days);
  return new Date(day.getTime() - day.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

let here = null; // my position, asked for when the screen opens

export async function visitsScreen(view) {
  here = positionOnce(); // the distance from where I stand to each stop
  here.catch(() => {});
  view.append(
    h("section", { class: "mb-4" },
      h("h2", { class: "h5" }, t("agenda_today")),
      loading(() => get("visits/agenda", { date: today() }), (agenda) => {
        const stops = agendaOrder(agenda.stops || []);
        if (!stops.length) return h("p", { class: "text-body-secondary", id: "m-agenda" }, t("agenda_empty"));
        return [
          h("p", { class: "text-body-secondary mb-2" }, t("agenda_route", { count: stops.length, distance: Math.round(agenda.total_m || 0) })),
          h("div", { class: "list-group", id: "m-agenda" }, stops.map(stopRow)),
        ];
      })),
    h("a", { class: "btn btn-primary btn-lg w-100 mb-2", href: "#visit/new", id: "m-visit-new" }, t("visit_new")),
    h("p", { class: "form-text mb-4" }, t("visit_new_help")),
    h("section", { class: "mb-4" },
      h("h2", { class: "h5" }, t("recent_visits")),
      loading(() => get("visits", { mine: "true", date_from: daysAgo(RECENT_DAYS), limit: 50 }), (visits) => visits.length
        ? h("div", { class: "list-group", id: "m-visits" }, visits.map(visitRow))
        : h("p", { class: "text-body-secondary", id: "m-visits" }, t("no_recent_visits")))),
  );
}
