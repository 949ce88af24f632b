/* The public offer's search (templates/offer/_public_search.html) with Leaflet and Leaflet.markercluster.

   The map draws the points of the results region (a JSON script swapped with the list by htmx), so the list and
   the map always show the same results; it is redrawn after every swap. Markers are divIcons styled in
   static/css/offer.css (no image: the map works offline, like static/js/map.js), and not SVG circle markers,
   because markercluster hides and spiderfies its markers through L.Marker's setOpacity. A tile layer is added
   only when the platform has one (MAP_TILES_URL).

   Each result's "Voir sur la carte" button opens its marker's popup (zooming in or spiderfying its cluster)
   and moves the focus to the popup's link. After a swap, the count of results is read out through the page's
   live region, and the focus, when it was inside the swapped region (a pagination link), goes to the
   results heading. The entry page uses the announcement only. htmx keeps no copy of these pages for the back
   button (hx-history="false" on the map): the browser loads them again. */
(function () {
  "use strict";
  var FRANCE = { center: [46.6, 2.5], zoom: 5 };
  var map = null;
  var cluster = null;
  var markers = {};
  var focusWasInside = false;

  function announce(region) {
    var announcer = document.getElementById("annonce");
    var source = region.querySelector("[data-announce]");
    if (!announcer || !source) {
      return;
    }
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = source.textContent.replace(/\s+/g, " ").trim();
    }, 100);
  }

  function popupContent(point) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.title;
    box.appendChild(link);
    var details = [point.organisation, point.place].filter(Boolean).join(" — ");
    if (details) {
      var text = document.createElement("p");
      text.className = "fr-text--sm fr-mb-0";
      text.textContent = details;
      box.appendChild(text);
    }
    return box;
  }

  function clusterIcon(group) {
    var count = group.getChildCount();
    var size = count < 10 ? 34 : count < 100 ? 40 : 46;
    return L.divIcon({
      className: "offer-map__cluster",
      iconSize: [size, size],
      html: "<span>" + count + '</span><span class="fr-sr-only"> activités</span>'
    });
  }

  function draw(element) {
    var script = document.getElementById(element.dataset.points);
    var points = script ? JSON.parse(script.textContent) : [];
    cluster.clearLayers();
    markers = {};
    cluster.addLayers(points.map(function (point) {
      var marker = L.marker([point.lat, point.lon], {
        icon: L.divIcon({ className: "offer-map__marker", iconSize: [18, 18] }),
        title: point.title,
        riseOnHover: true
      });
      marker.bindPopup(popupContent(point));
      markers[point.id] = marker;
      return marker;
    }));
    if (points.length === 1) {
      map.setView([points[0].lat, points[0].lon], 15);
    } else if (points.length > 1) {
      map.fitBounds(cluster.getBounds(), { padding: [24, 24], maxZoom: 16 });
    } else if (element.dataset.lat) {
      map.setView([Number(element.dataset.lat), Number(element.dataset.lon)], 13);
    } else {
      map.setView(FRANCE.center, FRANCE.zoom);
    }
    element.dataset.drawn = String(points.length);
  }

  function setUp(element) {
    map = window.maillageMap(element, { maxZoom: 18 });
    cluster = L.markerClusterGroup({ showCoverageOnHover: false, iconCreateFunction: clusterIcon });
    map.addLayer(cluster);
    draw(element);
  }

  function showOnMap(id) {
    var marker = markers[id];
    if (!marker) {
      return;
    }
    cluster.zoomToShowLayer(marker, function () {
      marker.openPopup();
      var link = marker.getPopup().getElement().querySelector("a");
      if (link) {
        link.focus();
      }
    });
  }

  function mapElement() {
    return typeof L === "undefined" ? null : document.getElementById("carte-activites");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-show-on-map]");
    if (button && map) {
      showOnMap(button.dataset.showOnMap);
    }
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    focusWasInside = event.detail.target.contains(document.activeElement);
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var region = event.detail.target;
    announce(region);
    var element = mapElement();
    if (region.id === "resultats" && element && map) {
      draw(element);
    }
    var heading = region.querySelector("[data-announce][tabindex]");
    if (focusWasInside && heading) {
      heading.focus();
    }
  });

  var element = mapElement();
  if (element) {
    setUp(element);
  }
})();
