// The base layer of every Leaflet map on the site, from the first source there is:
//   1. the configured tile server (GRIDGOV_TILE_URL), as raster tiles;
//   2. the offline vector base map, a PMTiles archive served by the site (/maps/basemap.pmtiles), drawn by
//      protomaps-leaflet with the paint rules below: the archive the demo build writes from its own areas and
//      buildings, or a Protomaps extract a deployment provides (the layer names are Protomaps' own);
//   3. nothing (a plain background) when neither is there.
// The sources come from this script tag's data attributes (maps/_basemap.html). A page's map calls
// window.gridgovBasemap(map) once after L.map(...).
(function () {
  const script = document.currentScript;
  const config = script ? script.dataset : {};
  const INK = "#5b6470";
  const LAND = "#f4f1ea";

  function paintRules(P) {
    const roads = (kinds) => (zoom, feature) => kinds.includes(feature.props.kind);
    return [
      { dataLayer: "earth", symbolizer: new P.PolygonSymbolizer({ fill: LAND }) },
      { dataLayer: "landuse", symbolizer: new P.PolygonSymbolizer({ fill: "#e3ecd8", opacity: 0.7 }) },
      { dataLayer: "water", symbolizer: new P.PolygonSymbolizer({ fill: "#b9d3e8" }) },
      { dataLayer: "buildings", symbolizer: new P.PolygonSymbolizer({ fill: "#ddd3c6", stroke: "#c4b6a4", width: 0.6 }) },
      // Each road twice: a darker casing, then the white road on top.
      { dataLayer: "roads", filter: roads(["path", "other"]), minzoom: 14,
        symbolizer: new P.LineSymbolizer({ color: "#d8d2c8", width: (z) => (z >= 16 ? 5 : 3) }) },
      { dataLayer: "roads", filter: roads(["minor_road"]), minzoom: 12,
        symbolizer: new P.LineSymbolizer({ color: "#cfc6b8", width: (z) => (z >= 15 ? 9 : z >= 13 ? 5 : 3) }) },
      { dataLayer: "roads", filter: roads(["major_road", "highway"]),
        symbolizer: new P.LineSymbolizer({ color: "#c2a77c", width: (z) => (z >= 15 ? 14 : z >= 13 ? 8 : 4) }) },
      { dataLayer: "roads", filter: roads(["path", "other"]), minzoom: 14,
        symbolizer: new P.LineSymbolizer({ color: "#ffffff", width: (z) => (z >= 16 ? 3 : 1.5) }) },
      { dataLayer: "roads", filter: roads(["minor_road"]), minzoom: 12,
        symbolizer: new P.LineSymbolizer({ color: "#ffffff", width: (z) => (z >= 15 ? 7 : z >= 13 ? 3.5 : 2) }) },
      { dataLayer: "roads", filter: roads(["major_road", "highway"]),
        symbolizer: new P.LineSymbolizer({ color: "#fbe3b3", width: (z) => (z >= 15 ? 11 : z >= 13 ? 6 : 2.5) }) },
    ];
  }

  function labelRules(P) {
    const place = (kinds) => (zoom, feature) => kinds.includes(feature.props.kind);
    return [
      { dataLayer: "places", filter: place(["locality", "city", "town"]),
        symbolizer: new P.CenteredTextSymbolizer({ labelProps: ["name:zh", "name"], font: "600 15px sans-serif",
          fill: "#3d4650", stroke: "#ffffff", width: 3 }) },
      { dataLayer: "places", filter: place(["neighbourhood", "macrohood", "suburb"]), minzoom: 13,
        symbolizer: new P.CenteredTextSymbolizer({ labelProps: ["name:zh", "name"], font: "13px sans-serif",
          fill: INK, stroke: "#ffffff", width: 2.5 }) },
    ];
  }

  window.gridgovBasemap = function (map) {
    const container = map.getContainer();
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution || "" }).addTo(map);
      container.dataset.basemap = "tiles";
      return;
    }
    if (config.pmtilesUrl && window.protomapsL) {
      const P = window.protomapsL;
      // A path relative to this site: protomaps-leaflet picks its PMTiles reader by the ".pmtiles" ending.
      P.leafletLayer({
        url: new URL(config.pmtilesUrl, window.location.href).href,
        paintRules: paintRules(P),
        labelRules: labelRules(P),
        backgroundColor: "#e9e6df",
        maxDataZoom: parseInt(config.maxZoom || "15", 10),
        attribution: config.attribution || "",
        pane: "tilePane",
      }).addTo(map);
      container.dataset.basemap = "pmtiles";
      return;
    }
    container.dataset.basemap = "none";
  };
})();
