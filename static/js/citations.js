/* Citation previews: placed inside the viewport, dismissed with Escape, opened by a first tap.

   Without this script the previews are CSS only (assay.css: shown while a
   citation is hovered or focused), and every page works the same. With it,
   the page gets the class "cites-js" and a preview shows only while its
   citation has the class "is-open", which this script sets:

   - hover (a mouse or pen) and keyboard focus open it; leaving closes it,
     after a moment, so the pointer can move onto the preview (WCAG 1.4.13);
   - it is placed below the citation, or above when there is no room below,
     and moved left or right so that it stays inside the viewport;
   - Escape closes it and does nothing else: focus stays where it was;
   - on a touch screen the first tap on a citation opens its preview without
     following the link; a second tap on the same citation follows it;
     a tap anywhere else closes it.

   Positions are set through element.style (CSSOM), which the strict CSP
   (style-src 'self', no inline style attributes) allows. */
(function () {
  "use strict";

  var MARGIN = 8; // px kept free between a preview and the viewport's edge
  var GAP = 4; // px between the citation and its preview
  var CLOSE_DELAY = 300; // ms before a preview closes once the pointer leaves

  var open = null; // the open citation (<sup class="citation">), if any
  var closeTimer = null;
  var tap = null; // {citation, wasOpen}: the citation a touch pointer went down on

  document.documentElement.classList.add("cites-js");

  function citationOf(node) {
    return node && node.closest ? node.closest(".citation") : null;
  }

  function tipOf(citation) {
    return citation.querySelector(".cite-tip");
  }

  function place(citation) {
    var tip = tipOf(citation);
    var link = citation.querySelector("a") || citation;
    if (!tip) return;
    tip.style.left = "0px";
    tip.style.top = "0px";
    var anchor = link.getBoundingClientRect();
    var width = tip.offsetWidth;
    var height = tip.offsetHeight;
    var viewWidth = document.documentElement.clientWidth;
    var viewHeight = document.documentElement.clientHeight;

    // Start at the citation's left edge; flip to end at its right edge, then clamp.
    var left = anchor.left;
    if (left + width > viewWidth - MARGIN) left = anchor.right - width;
    left = Math.max(MARGIN, Math.min(left, viewWidth - MARGIN - width));

    // Below if it fits, else above if that fits, else wherever there is more room.
    var below = anchor.bottom + GAP;
    var above = anchor.top - GAP - height;
    var top = below;
    if (below + height > viewHeight - MARGIN) {
      top = above >= MARGIN || anchor.top > viewHeight - anchor.bottom ? above : below;
    }
    top = Math.max(MARGIN, Math.min(top, viewHeight - MARGIN - height));

    tip.style.left = Math.round(left) + "px";
    tip.style.top = Math.round(top) + "px";
    citation.classList.toggle("tip-above", top < anchor.top);
  }

  function show(citation) {
    cancelClose();
    if (open && open !== citation) hide(open);
    open = citation;
    citation.classList.add("is-open");
    place(citation);
  }

  function hide(citation) {
    citation.classList.remove("is-open", "tip-above");
    if (open === citation) open = null;
  }

  function cancelClose() {
    if (closeTimer !== null) {
      window.clearTimeout(closeTimer);
      closeTimer = null;
    }
  }

  function closeSoon(citation) {
    cancelClose();
    closeTimer = window.setTimeout(function () {
      closeTimer = null;
      // Keyboard focus keeps it open; hover ended.
      if (!citation.contains(document.activeElement) || citation.dataset.keep !== "focus") hide(citation);
    }, CLOSE_DELAY);
  }

  // Hover: mouse and pen only (a touch pointer "enters" on every tap).
  document.addEventListener("pointerover", function (event) {
    var citation = citationOf(event.target);
    if (citation && event.pointerType !== "touch") show(citation);
  });
  document.addEventListener("pointerout", function (event) {
    var citation = citationOf(event.target);
    if (!citation || event.pointerType === "touch") return;
    if (citation.contains(event.relatedTarget)) return;
    if (citation === open) closeSoon(citation);
  });

  // Keyboard focus.
  document.addEventListener("focusin", function (event) {
    var citation = citationOf(event.target);
    if (citation && !tap) {
      citation.dataset.keep = "focus";
      show(citation);
    }
  });
  document.addEventListener("focusout", function (event) {
    var citation = citationOf(event.target);
    if (!citation) return;
    delete citation.dataset.keep;
    if (!citation.contains(event.relatedTarget) && citation === open) hide(citation);
  });

  // Escape: close, and nothing else.
  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && open) {
      cancelClose();
      hide(open);
    }
  });

  // Touch: the first tap opens, the second follows the link; a tap elsewhere closes.
  document.addEventListener(
    "pointerdown",
    function (event) {
      var citation = citationOf(event.target);
      if (event.pointerType === "touch") {
        tap = citation ? { citation: citation, wasOpen: citation === open } : null;
      } else {
        tap = null;
      }
      if (open && citation !== open) hide(open);
    },
    true
  );
  document.addEventListener(
    "click",
    function (event) {
      var pending = tap;
      tap = null;
      if (!pending) return;
      var citation = citationOf(event.target);
      if (!citation || citation !== pending.citation) return;
      if (!pending.wasOpen) {
        event.preventDefault();
        show(citation);
      } else {
        hide(citation);
      }
    },
    true
  );

  // A fixed preview follows its citation when the page scrolls or the window changes size.
  function replace() {
    if (open) place(open);
  }
  window.addEventListener("scroll", replace, { passive: true });
  window.addEventListener("resize", replace);
})();
