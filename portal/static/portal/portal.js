// The portal's report form: the picture picker sets the category; once a category and a point are known the
// page asks for open problems of the same kind nearby ("me too"); "获取验证码" texts a one-time code.
(function () {
  const select = document.getElementById("id_category");
  const tiles = document.querySelectorAll("[data-group]");
  tiles.forEach((tile) =>
    tile.addEventListener("click", () => {
      tiles.forEach((other) => other.classList.toggle("active", other === tile));
      document.querySelectorAll("[data-subgroup]").forEach((group) => {
        group.classList.toggle("d-none", group.dataset.subgroup !== tile.dataset.group);
      });
    }),
  );
  document.querySelectorAll("[data-category]").forEach((button) =>
    button.addEventListener("click", () => {
      select.value = button.dataset.category;
      select.dispatchEvent(new Event("change"));
    }),
  );
  document.querySelectorAll("[data-select-on-click]").forEach((field) =>
    field.addEventListener("click", () => field.select()),
  );
  if (select && select.dataset.preselected && !select.value) select.value = select.dataset.preselected;

  const box = document.getElementById("nearby");
  const map = document.getElementById("report-map");
  function nearby() {
    const lon = document.getElementById("id_longitude");
    const lat = document.getElementById("id_latitude");
    if (!box || !select || !select.value || !lon || !lon.value) return;
    const query = new URLSearchParams({ category: select.value, lon: lon.value, lat: lat.value });
    fetch(box.dataset.url + "?" + query, { headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((answer) => {
        const list = box.querySelector("[data-nearby-list]");
        list.replaceChildren();
        (answer.cases || []).forEach((item) => {
          const row = document.createElement("li");
          row.className = "mb-2";
          const text = document.createElement("div");
          text.textContent = `${item.category}：${item.description}（${item.distance_m} 米，${item.status}）`;
          const link = document.createElement("a");
          link.href = item.support_url;
          link.className = "btn btn-sm btn-primary mt-1";
          link.textContent = `我也遇到（已有 ${item.supporters} 人附议）`;
          row.append(text, link);
          list.append(row);
        });
        box.classList.toggle("d-none", !(answer.cases || []).length);
      });
  }
  if (select) select.addEventListener("change", nearby);
  if (map) new MutationObserver(nearby).observe(map, { attributes: true, attributeFilter: ["data-point"] });

  const send = document.querySelector("[data-send-code]");
  if (send) {
    send.addEventListener("click", () => {
      const status = document.querySelector("[data-code-status]");
      const body = new FormData();
      body.append("phone", document.getElementById("id_phone").value);
      body.append("csrfmiddlewaretoken", document.querySelector("[name=csrfmiddlewaretoken]").value);
      fetch(send.dataset.url, { method: "POST", body, credentials: "same-origin" })
        .then((response) => response.json())
        .then((answer) => {
          status.textContent = answer.sent ? `验证码已发送，${answer.minutes} 分钟内有效` : answer.error.message;
        });
    });
  }
})();
