// The portal's pages: the picture picker sets the category; once a category and a point are known the report
// page asks for open problems of the same kind nearby ("me too"); "获取验证码" texts a one-time code; the follow
// link can be copied or shared. Every sentence comes from the page
// (translated there) through data-* attributes.
(function () {
  // "{name}" placeholders filled from an object.
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));

  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });
  document.querySelectorAll("[data-select-on-click]").forEach((field) =>
    field.addEventListener("click", () => field.select()),
  );

  // Copy and share the follow link.
  document.querySelectorAll("[data-copy]").forEach((button) =>
    button.addEventListener("click", () => {
      const done = () => {
        button.textContent = button.dataset.copied;
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(button.dataset.copy).then(done);
      } else {
        const field = document.querySelector("[data-follow-url]");
        field.select();
        if (document.execCommand("copy")) done();
      }
    }),
  );
  document.querySelectorAll("[data-share]").forEach((button) => {
    if (!navigator.share) return;
    button.classList.remove("d-none");
    button.addEventListener("click", () =>
      navigator.share({ title: button.dataset.shareTitle, url: button.dataset.share }).catch(() => {}),
    );
  });

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
  if (select && select.dataset.preselected && !select.value) select.value = select.dataset.preselected;

  // Open problems of the same kind nearby, written for a resident who did not report them.
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
          const where = document.createElement("div");
          where.className = "fw-bold";
          where.textContent = fill(box.dataset.itemTemplate, {
            category: item.category, distance: item.distance_m, date: item.reported, status: item.status,
          });
          const said = document.createElement("div");
          said.className = "small";
          said.textContent = fill(box.dataset.saidTemplate, { description: item.description });
          const link = document.createElement("a");
          link.href = item.support_url;
          link.className = "btn btn-sm btn-primary mt-1";
          link.textContent = fill(box.dataset.supportTemplate, { count: item.supporters });
          row.append(where, said, link);
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
          status.textContent = answer.sent ? fill(send.dataset.sentTemplate, { minutes: answer.minutes }) : answer.error.message;
        });
    });
  }

})();
