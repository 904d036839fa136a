// The visit form: each purpose's questions show while the purpose is ticked (all show without JavaScript), and
// "使用我的位置" fills the fix (longitude, latitude, accuracy in metres) from the browser's geolocation.
(function () {
  const form = document.getElementById("visit-form");
  if (!form) return;
  const boxes = Array.from(form.querySelectorAll("input[name=purposes]"));
  const groups = Array.from(form.querySelectorAll("[data-questions]"));
  function sync() {
    const chosen = new Set(boxes.filter((box) => box.checked).map((box) => box.value));
    groups.forEach((group) => {
      group.hidden = !chosen.has(group.dataset.questions);
    });
  }
  boxes.forEach((box) => box.addEventListener("change", sync));
  sync();

  const button = form.querySelector("[data-locate]");
  const label = form.querySelector("[data-located]");
  if (!button) return;
  if (!navigator.geolocation) {
    button.hidden = true;
    return;
  }
  button.addEventListener("click", () => {
    button.disabled = true;
    label.textContent = button.dataset.waiting || "…";
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { longitude, latitude, accuracy } = position.coords;
        form.querySelector("[name=lon]").value = longitude.toFixed(6);
        form.querySelector("[name=lat]").value = latitude.toFixed(6);
        form.querySelector("[name=accuracy]").value = Math.round(accuracy);
        label.textContent = `${longitude.toFixed(5)}, ${latitude.toFixed(5)} ±${Math.round(accuracy)} m`;
        button.disabled = false;
      },
      (error) => {
        label.textContent = button.dataset.failed;
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
})();
