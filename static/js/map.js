/* Draws the maps of the page (templates/components/map.html) with Leaflet.
   Points are circles drawn in SVG: no tile or image is needed, so the map works offline.
   A tile layer is added only when the platform is configured with one (MAP_TILES_URL). */
(function () {
  "use strict";
  function draw(element) {
    var points = JSON.parse(document.getElementById(element.dataset.points).textContent);
    var map = L.map(element, {
      scrollWheelZoom: false, zoomControl: false, attributionControl: Boolean(element.dataset.tilesUrl)
    });
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
    var layer = L.featureGroup();
    points.forEach(function (point) {
      var colour = point.network === "REP+" ? "#ce614a" : point.network === "REP" ? "#6e445a" : "#000091";
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: 7, color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 0.9
      });
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      marker.bindPopup(link);
      marker.bindTooltip(point.name + (point.network ? " (" + point.network + ")" : ""));
      layer.addLayer(marker);
    });
    layer.addTo(map);
    if (points.length === 1) {
      map.setView([points[0].lat, points[0].lon], 15);
    } else if (points.length > 1) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24] });
    }
    element.dataset.drawn = String(points.length);
  }
  document.querySelectorAll(".map[data-points]").forEach(draw);
})();
