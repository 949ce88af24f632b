/* The Leaflet map every map of Maillage starts from (static/js/map.js, static/js/offer-map.js): no scroll-wheel
   zoom, zoom buttons and popup close button named in French, and a tile layer only when the platform is
   configured with one (MAP_TILES_URL, in the element's data-tiles-url): without tiles the maps work offline. */
window.maillageMap = function (element, options) {
  "use strict";
  var map = L.map(element, Object.assign({
    scrollWheelZoom: false, zoomControl: false, attributionControl: Boolean(element.dataset.tilesUrl)
  }, options || {}));
  // Leaflet names its buttons in English (title and aria-label): name them in the page's language.
  L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);
  map.on("popupopen", function (event) {
    var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) {
      close.setAttribute("aria-label", "Fermer");
      close.title = "Fermer";
    }
  });
  if (element.dataset.tilesUrl) {
    L.tileLayer(element.dataset.tilesUrl, { attribution: element.dataset.tilesAttribution, maxZoom: 19 }).addTo(map);
  }
  return map;
};
