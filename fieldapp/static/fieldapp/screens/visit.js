// 走访记录: the form of a visit (#visit/new?due=N for a due visit of today's list, ?person=N for a resident
// found under 查询, or a visit in one of my grids), saved into the outbox and sent when the network allows; and a
// visit already recorded (#visit/N) with its follow-ups and "转为案件".
import { alertBox, config, field, h, t, toast, when } from "../dom.js";
import { choiceSelect, get, gpsLine, gridPicker, loading, photoPicker, today } from "../data.js";
import { outboxAdd } from "../outbox.js";
import { categoryPicker } from "./report.js";

export const VISIT_KINDS = ["home", "phone", "interview", "group", "on_site", "other"];
const PURPOSE_GROUPS = [
  ["group_six_visit", ["hardship", "elderly_alone", "disabled", "unemployed", "newcomer", "other_care"]],
  ["group_six_attend", ["mood_swing", "living_difficulty", "emergency", "volunteering", "neighbour_dispute", "mutual_aid"]],
  ["group_other", ["policy", "dispute_screening", "safety_check", "info_check", "other"]],
];
const SENSITIVE_PURPOSE = "key_person";
const FINDINGS_MAX = 4000;
const DESCRIPTION_MAX = 2000;

let handedOver = null; // a resident picked under 查询: {id, name, house_address, grid_code}

/** The resident the next visit form is about (so the form needs no further read of their record). */
export function visitSubjectHand(person) {
  handedOver = person;
}

async function dueSubject(id) {
  const agenda = await get("visits/agenda", { date: today() });
  let due = (agenda.stops || []).find((stop) => String(stop.id) === id);
  if (!due) {
    const open = await get("visits/due", { status: "open", worker: "me" });
    due = (Array.isArray(open) ? open : open.results || []).find((item) => String(item.id) === id);
  }
  if (!due) return null;
  return { due_id: due.id, person_id: due.person_id, name: due.person_name, address: due.address, grid_code: due.grid_code, sensitive: due.sensitive, plan: due.plan_name, purpose: due.purpose || "" };
}

async function personSubject(id) {
  const person = handedOver && String(handedOver.id) === id ? handedOver : await get(`persons/${id}`);
  return { person_id: person.id, name: person.name, address: person.house_address, grid_code: person.grid_code, sensitive: false };
}

/** The purposes, the due visit's plan's one ticked (as on the web form). */
function purposeChecks(sensitive, chosen = "") {
  const box = (value) => h("div", { class: "form-check" },
    h("input", { class: "form-check-input", type: "checkbox", name: "purposes", value, id: `m-purpose-${value}`, checked: value === chosen || (sensitive && value === SENSITIVE_PURPOSE) }),
    h("label", { class: "form-check-label", for: `m-purpose-${value}` }, t(`purpose_${value}`)));
  const groups = PURPOSE_GROUPS.map(([title, values]) => h("fieldset", { class: "mb-2" },
    h("legend", { class: "fs-6 fw-semibold mb-1" }, t(title)),
    h("div", { class: "m-checks" }, values.map(box))));
  // 重点人员 visits only where the due visit is one (the server decides who may see them).
  if (sensitive) groups.unshift(h("div", { class: "m-checks mb-2" }, box(SENSITIVE_PURPOSE)));
  return h("fieldset", { class: "mb-3", id: "m-purposes" }, h("legend", { class: "form-label fs-6" }, t("visit_purposes")), groups);
}

/** The questions of each chosen purpose (走访问答, as the server asks them): answers {purpose: {question: value}}. */
function questionBox(form) {
  const asked = config.visitQuestions || {};
  const box = h("div", { id: "m-questions" });
  const control = (purpose, question) => {
    const name = `q-${purpose}-${question.key}`;
    if (question.kind === "yes_no") {
      const choice = (value, label) => h("div", { class: "form-check m-choice" },
        h("input", { class: "form-check-input", type: "radio", name, value, id: `${name}-${value}`, dataset: { purpose, question: question.key, kind: "yes_no" } }),
        h("label", { class: "form-check-label", for: `${name}-${value}` }, label));
      return h("fieldset", { class: "mb-2" }, h("legend", { class: "form-label fs-6 mb-0" }, question.label),
        h("div", { class: "m-two" }, choice("true", t("answer_yes")), choice("false", t("answer_no"))));
    }
    const input = question.kind === "choice"
      ? h("select", { class: "form-select form-select-lg", name }, h("option", { value: "" }, "—"), question.choices.map(([value, label]) => h("option", { value }, label)))
      : h("input", { class: "form-control form-control-lg", type: "text", name, maxlength: 500 });
    input.dataset.purpose = purpose;
    input.dataset.question = question.key;
    return field(question.label, input);
  };
  const draw = () => {
    const chosen = Array.from(form.querySelectorAll("input[name=purposes]:checked"), (input) => input.value).filter((purpose) => asked[purpose]);
    const kept = new Map(Array.from(box.querySelectorAll("[data-purpose-questions]"), (set) => [set.dataset.purposeQuestions, set]));
    box.replaceChildren(...chosen.map((purpose) => kept.get(purpose) || h("fieldset", { class: "mb-3 border rounded p-2", dataset: { purposeQuestions: purpose } },
      h("legend", { class: "fs-6 fw-semibold float-none w-auto px-1" }, `${t("visit_questions")} · ${t(`purpose_${purpose}`)}`),
      asked[purpose].map((question) => control(purpose, question)))));
  };
  const answers = () => {
    const found = {};
    for (const input of box.querySelectorAll("[data-question]")) {
      let value = input.value.trim();
      if (input.dataset.kind === "yes_no") {
        if (!input.checked) continue;
        value = value === "true";
      }
      if (value === "") continue;
      (found[input.dataset.purpose] ??= {})[input.dataset.question] = value;
    }
    return found;
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "purposes") draw();
  });
  return { element: box, answers, draw };
}

function visitForm(view, subject, session, go) {
  const gps = gpsLine();
  const kind = choiceSelect("kind", "visit_kind_", VISIT_KINDS, "home");
  const grid = subject ? null : gridPicker(session);
  const findings = h("textarea", { class: "form-control form-control-lg", name: "findings", rows: 5, maxlength: FINDINGS_MAX, "aria-describedby": "m-findings-help" });
  findings.id = "m-findings";
  const photos = photoPicker(t("photos"), "photo");
  const problem = h("div", { "aria-live": "polite" });
  const header = subject
    ? h("div", { class: "alert alert-light mb-3", id: "m-visit-subject", dataset: { person: subject.person_id } },
      h("div", { class: "form-label mb-1" }, t("visit_subject")),
      h("strong", {}, subject.name),
      subject.address ? h("div", { class: "text-body-secondary" }, subject.address) : null,
      subject.plan ? h("div", { class: "text-body-secondary" }, subject.plan) : null)
    : field(t("visit_grid"), grid);
  const findingsField = field(t("findings"), findings, t("findings_help"));
  const form = h("form", { novalidate: true, id: "m-visit-form" },
    problem,
    header,
    field(t("visit_kind"), kind),
    purposeChecks(subject && subject.sensitive, subject && subject.purpose),
    findingsField,
    photos.element,
    gps.element,
    h("button", { class: "btn btn-primary btn-lg w-100", type: "submit" }, t("save_visit")));
  const questions = questionBox(form);
  form.insertBefore(questions.element, findingsField);
  questions.draw();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const purposes = Array.from(form.querySelectorAll("input[name=purposes]:checked"), (input) => input.value);
    const problems = [];
    if (!subject && !grid.value) problems.push(t("subject_required"));
    if (!purposes.length) problems.push(t("purposes_required"));
    if (!findings.value.trim()) problems.push(t("findings_required"));
    if (problems.length) {
      problem.replaceChildren(alertBox(problems.join(" ")));
      problem.scrollIntoView();
      return;
    }
    const position = gps.position();
    const payload = {
      visited_at: new Date().toISOString(),
      kind: kind.value,
      purposes,
      findings: findings.value.trim(),
      answers: questions.answers(),
      ...(subject ? { person_id: subject.person_id } : { grid_code: grid.value }),
      ...(subject && subject.due_id ? { due_visit_id: subject.due_id } : {}),
      ...(position ? { lon: position.lon, lat: position.lat, accuracy: position.accuracy } : {}),
    };
    const label = [subject ? subject.name : grid.value, purposes.map((value) => t(`purpose_${value}`)).join(t("list_sep"))].join(" · ");
    await outboxAdd("visit", payload, photos.files(), { label });
    toast(t("saved_to_outbox"), "success");
    go("#outbox");
  });
  view.append(form);
}

function followUpForm(visit, go) {
  const category = categoryPicker();
  const description = h("textarea", { class: "form-control form-control-lg", name: "description", rows: 4, maxlength: DESCRIPTION_MAX });
  description.value = visit.findings || "";
  const photos = photoPicker(t("photos"), "photo");
  const problem = h("div", { "aria-live": "polite" });
  const form = h("form", { novalidate: true, id: "m-follow-up-form", class: "mt-4" },
    h("h2", { class: "h5" }, t("follow_up")),
    h("p", { class: "form-text" }, t("follow_up_help")),
    problem,
    field(t("category"), category),
    field(t("description"), description),
    photos.element,
    h("button", { class: "btn btn-primary btn-lg w-100", type: "submit" }, t("save_follow_up")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problems = [];
    if (!category.value) problems.push(t("category_pick"));
    if (!description.value.trim()) problems.push(t("description_required"));
    if (problems.length) {
      problem.replaceChildren(alertBox(problems.join(" ")));
      return;
    }
    const payload = { visit_id: visit.id, category_id: Number(category.value), description: description.value.trim() };
    await outboxAdd("follow_up", payload, photos.files(), { label: description.value.trim() });
    toast(t("saved_to_outbox"), "success");
    go("#outbox");
  });
  return form;
}

function photoMissing(event) {
  event.target.replaceWith(h("span", { class: "m-photo-missing" }, t("photo_not_here")));
}

function visitDetail(visit, go) {
  return [
    h("dl", { class: "m-facts", id: "m-visit", dataset: { visit: visit.id } },
      h("dt", {}, t("visit_subject")), h("dd", {}, visit.subject_label || visit.person_name || visit.grid_code),
      h("dt", {}, t("visited_at")), h("dd", {}, when(visit.visited_at)),
      h("dt", {}, t("visit_kind")), h("dd", {}, visit.kind_label),
      h("dt", {}, t("visit_purposes")), h("dd", {}, (visit.purpose_labels || []).join(t("list_sep"))),
      visit.follow_ups && visit.follow_ups.length
        ? [h("dt", {}, t("follow_ups")), h("dd", { id: "m-follow-ups" }, visit.follow_ups.map((item) => item.case_number).join(" "))]
        : null),
    h("p", { class: "m-description" }, visit.findings),
    visit.photos && visit.photos.length
      ? h("div", { class: "m-previews" }, visit.photos.map((url) => h("img", { src: url, alt: t("photos"), class: "m-preview", loading: "lazy", onerror: photoMissing })))
      : null,
    followUpForm(visit, go),
  ];
}

export async function visitScreen(view, { args, params, session, go }) {
  const id = args[0] || "new";
  if (/^\d{1,20}$/.test(id)) {
    view.append(loading(() => get(`visits/${id}`), (visit) => visitDetail(visit, go)));
    return;
  }
  const due = /^\d{1,20}$/.test(params.get("due") || "") ? params.get("due") : "";
  const person = /^\d{1,20}$/.test(params.get("person") || "") ? params.get("person") : "";
  if (!due && !person) {
    visitForm(view, null, session, go);
    return;
  }
  view.append(loading(() => (due ? dueSubject(due) : personSubject(person)), (subject) => {
    const box = h("div");
    if (subject) visitForm(box, subject, session, go);
    else visitForm(box, null, session, go);
    return box;
  }));
}
