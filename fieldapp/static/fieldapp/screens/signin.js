// Sign-in: the device gets its own token (POST /api/v1/auth/token). Only the token is kept, never the password.
import { api } from "../api.js";
import { alertBox, field, h, t } from "../dom.js";
import { outboxUnfinished, sessionSave } from "../outbox.js";

function deviceNameGuess() {
  const agent = navigator.userAgent;
  const system = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS" : /Windows/.test(agent) ? "Windows" : "";
  return [t("app_name"), system].filter(Boolean).join(" · ");
}

export async function signinScreen(view, { go }) {
  const username = h("input", { class: "form-control form-control-lg", name: "username", autocomplete: "username", required: true, autocapitalize: "none" });
  const password = h("input", { class: "form-control form-control-lg", name: "password", type: "password", autocomplete: "current-password", required: true });
  const device = h("input", { class: "form-control form-control-lg", name: "device_name", maxlength: 100, required: true, value: deviceNameGuess() });
  const problem = h("div", { "aria-live": "polite" });
  const button = h("button", { class: "btn btn-primary btn-lg w-100", type: "submit" }, t("sign_in"));
  const waiting = (await outboxUnfinished()).length;
  const form = h(
    "form",
    { class: "m-signin", novalidate: true },
    h("div", { class: "text-center mb-4" }, h("img", { src: "", alt: "", class: "m-signin-icon", id: "m-signin-icon" }), h("h2", { class: "h3 mt-2" }, t("app_name"))),
    waiting ? alertBox(t("signin_outbox_kept", { count: waiting }), "warning") : null,
    problem,
    field(t("username"), username),
    field(t("password"), password),
    field(t("device_name"), device, t("device_name_help")),
    button,
  );
  const icon = document.querySelector("link[rel=icon]");
  form.querySelector("#m-signin-icon").src = icon ? icon.href : "";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!username.value.trim() || !password.value || !device.value.trim()) {
      problem.replaceChildren(alertBox(t("signin_fill_all")));
      return;
    }
    button.disabled = true;
    try {
      const body = await api("auth/token", {
        method: "POST",
        json: { username: username.value.trim(), password: password.value, device_name: device.value.trim() },
      });
      password.value = "";
      await sessionSave({
        token: body.token,
        token_id: body.token_id,
        tracker_id: body.tracker_id,
        device_name: body.device_name,
        user: body.user,
        signed_in_at: Date.now(),
      });
      go("#work");
    } catch (error) {
      problem.replaceChildren(alertBox(error.status ? error.message : t("network_error")));
    } finally {
      button.disabled = false;
    }
  });
  view.append(form);
  username.focus();
}
