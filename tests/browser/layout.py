"""Measuring a screen as a finger meets it: what the bars cover and which targets are too small."""

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 740}  # the narrowest phone in use
TABLET = {"width": 1280, "height": 800}
TAP = 44  # px: the smallest target a thumb hits reliably

# Every control of the page whose middle, scrolled to the end, is under a bar at the bottom (the
# form's action bar, the tab bar) or below the screen. (The sticky header may hide the top of a
# short page at its end: scrolling up shows it.)
COVERED_AT_THE_END = """() => {
  window.scrollTo(0, document.documentElement.scrollHeight);
  const covered = [];
  for (const el of document.querySelectorAll(
      "#view a[href], #view button, #view input, #view select, #view textarea, #view label.button")) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue; // hidden, or a visually hidden file input
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    if (y < 0) continue; // scrolled past, above the screen
    const hit = y < innerHeight ? document.elementFromPoint(x, y) : null;
    if (hit?.closest("#header")) continue;
    if (!hit || !(el === hit || el.contains(hit))) {
      covered.push((el.textContent || el.getAttribute("aria-label") || el.name || el.type).trim());
    }
  }
  return covered;
}"""

# Every visible field, button and action link shorter than a finger, with its height.
SMALL_TARGETS = """(tap) => {
  const small = [];
  const selector = "input:not([type=checkbox]):not([type=radio]):not([type=file]), select, textarea, "
    + "button, a.button, label.button, a[href^='tel:'], .action-link, summary, .tabbar-item";
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || el.closest("[hidden]")) continue;
    if (box.height < tap - 0.5) {
      const name = (el.textContent || el.getAttribute("aria-label") || el.name || el.type).trim();
      small.push(`${el.tagName.toLowerCase()} ${name}: ${Math.round(box.height)} px`);
    }
  }
  return small;
}"""


# The focused control, if what is at its start (its first 20 px each way, the part a finger
# and an eye look for) is something else: a bar, the header, or nothing (off the screen).
FOCUS_HIDDEN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || !el.closest("#view")) return null;
  const box = el.getBoundingClientRect();
  if (box.width <= 1 || box.height <= 1) return null; // a visually hidden file input
  const x = box.left + Math.min(box.width / 2, 20), y = box.top + Math.min(box.height / 2, 20);
  const hit = y >= 0 && y < innerHeight ? document.elementFromPoint(x, y) : null;
  if (hit && (el === hit || el.contains(hit))) return null;
  const under = hit ? hit.closest("#header, .tabbar, .actions") : null;
  return `${el.name || el.textContent.trim() || el.tagName} under ${under ? under.className || under.id : "nothing"}`;
}"""


# The header's name, badges and buttons that are cut: part of them off the screen or clipped
# (what is at their left or right end is not them).
HEADER_CUT = """() => {
  const cut = [];
  for (const el of document.querySelectorAll("#header .brand, #header .status-row > *")) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    const y = box.top + box.height / 2;
    for (const x of [box.left + 2, box.right - 2]) {
      const hit = x >= 0 && x < innerWidth ? document.elementFromPoint(x, y) : null;
      if (!hit || !(el === hit || el.contains(hit))) {
        cut.push(`${el.textContent.trim()} at ${Math.round(box.left)}-${Math.round(box.right)}`);
        break;
      }
    }
  }
  return cut;
}"""


def header_cut(page):
    return page.evaluate(HEADER_CUT)


def hidden_while_tabbing(page, presses, key="Tab"):
    """Press ``key`` ``presses`` times; the controls that took the focus hidden (see above)."""
    hidden = []
    for _ in range(presses):
        page.keyboard.press(key)
        found = page.evaluate(FOCUS_HIDDEN)
        if found and found not in hidden:
            hidden.append(found)
    return hidden


def covered_at_the_end(page):
    """Scroll to the end of the page; the controls a bar still covers (or that stay off screen)."""
    page.wait_for_timeout(100)
    return page.evaluate(COVERED_AT_THE_END)


def small_targets(page):
    return page.evaluate(SMALL_TARGETS, TAP)


# The page wider than the screen, and every element of the view that reaches past its sides
# (a long name or address that does not wrap pushes the page sideways on a phone).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) {
    out.push(`the page: ${document.documentElement.scrollWidth} px wide`);
  }
  for (const el of document.querySelectorAll("#view *")) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue; // hidden, or folded in a closed <details>
    if (box.left < -0.5 || box.right > width + 0.5) {
      const name = (el.textContent || el.getAttribute("aria-label") || el.tagName).trim().slice(0, 40);
      out.push(`${el.tagName.toLowerCase()} ${name}: ${Math.round(box.left)}-${Math.round(box.right)} px`);
    }
  }
  return out;
}"""


def overflowing(page):
    return page.evaluate(OVERFLOWING)
