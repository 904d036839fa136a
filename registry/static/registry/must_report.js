// 八必报: fill the form's location from the phone's fix on opening, and again on 使用我的位置 (the grid or house
// typed in stand when there is none).
(function () {
  const form = document.querySelector("[data-locate]");
  if (!form) return;
  const status = form.querySelector("[data-location-status]");
  const button = form.querySelector("[data-locate-button]");
  const lon = form.querySelector("input[name=lon]");
  const lat = form.querySelector("input[name=lat]");
  const say = (text) => { if (status) status.textContent = text; };
  if (!navigator.geolocation || !lon || !lat) {
    say("");
    if (button) button.hidden = true;
    return;
  }
  const locate = () => {
    if (button) button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (fix) => {
        lon.value = fix.coords.longitude.toFixed(6);
        lat.value = fix.coords.latitude.toFixed(6);
        say(`${lat.value}, ${lon.value} (±${Math.round(fix.coords.accuracy)} m)`);
        if (button) button.disabled = false;
      },
      () => {
        say("");
        if (button) button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 10000 },
    );
  };
  if (button) button.addEventListener("click", locate);
  locate();
})();
