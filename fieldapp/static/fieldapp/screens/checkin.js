// 签到: shift start and end, and the planned points of my grids with the distance to each from where I stand.
import { alertBox, h, t, toast } from "../dom.js";
import { distanceM, get, loading, positionOnce } from "../data.js";
import { outboxAdd } from "../outbox.js";


export async function checkinScreen(view, { go }) {
  let position = null;
  const where = h("p", { class: "m-gps", id: "m-gps", "aria-live": "polite" }, t("gps_locating"));
  const problem = h("div", { "aria-live": "polite" });
  const points = h("div", { id: "m-points" });
  let planned = [];

  const drawPoints = () => {
    points.replaceChildren(
      planned.length
        ? h("div", { class: "list-group" }, planned.map((point) => {
          const away = position ? Math.round(distanceM(position, point)) : null;
          const inside = away !== null && away <= point.radius_m;
          return h("div", { class: "list-group-item m-row d-flex justify-content-between align-items-center gap-2", dataset: { point: point.id } },
            h("div", {}, h("strong", {}, point.name),
              h("div", { class: inside ? "text-success" : "text-body-secondary" },
                away === null ? t("distance_unknown") : t("distance_to_point", { distance: away, radius: point.radius_m }))),
            h("button", { class: "btn btn-primary m-touch", type: "button", onclick: () => save("point", point.id) }, t("checkin_here")));
        }))
        : h("p", { class: "text-body-secondary" }, t("no_points")),
    );
  };

  const locate = () => positionOnce()
    .then((fix) => {
      position = fix;
      where.textContent = t("gps_fix", { accuracy: Math.round(fix.accuracy) });
      drawPoints();
    })
    .catch((error) => {
      position = null;
      where.textContent = error.message;
    });

  async function save(kind, pointId = null) {
    if (!position) {
      problem.replaceChildren(alertBox(t("gps_required")));
      return;
    }
    const payload = {
      kind,
      lon: position.lon,
      lat: position.lat,
      accuracy: position.accuracy,
      device_time: new Date().toISOString(),
      ...(pointId ? { point_id: pointId } : {}),
    };
    await outboxAdd("checkin", payload);
    toast(t("saved_to_outbox"), "success");
    go("#outbox");
  }

  view.append(
    problem,
    h("div", { class: "d-flex align-items-center justify-content-between gap-2 mb-3" }, where,
      h("button", { class: "btn btn-outline-secondary m-touch", type: "button", onclick: locate }, t("gps_again"))),
    h("div", { class: "m-two mb-4" },
      h("button", { class: "btn btn-success btn-lg", type: "button", onclick: () => save("shift_start"), dataset: { kind: "shift_start" } }, t("shift_start")),
      h("button", { class: "btn btn-outline-success btn-lg", type: "button", onclick: () => save("shift_end"), dataset: { kind: "shift_end" } }, t("shift_end"))),
    h("h2", { class: "h5" }, t("planned_points")),
    loading(() => get("checkpoints"), (found) => {
      planned = found;
      drawPoints();
      return points;
    }),
  );
  locate();
}
