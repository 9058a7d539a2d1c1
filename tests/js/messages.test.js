// Messages as data (pwa/js/messages-*.js through i18n.js): a text with a count takes the plural
// form its language needs, so English says "1 day" and "2 days" and Japanese 「1日」「2日」.

import assert from "node:assert/strict";
import { test } from "node:test";

import { ballDays, badgeText, reasonText } from "../../pwa/js/deals.js";
import { relativeDays } from "../../pwa/js/format.js";
import { lang, list, pieces, setLang, t } from "../../pwa/js/i18n.js";
import { en } from "../../pwa/js/messages-en.js";
import { ja } from "../../pwa/js/messages-ja.js";
import { draftSummary } from "../../pwa/js/reports.js";

globalThis.document ??= { documentElement: {} }; // setLang marks the page's language

function inLanguage(language, body) {
  const before = lang();
  setLang(language);
  try {
    body();
  } finally {
    setLang(before);
  }
}

test("every text with a count has exactly the plural forms its language has", () => {
  for (const [language, messages] of [["ja", ja], ["en", en]]) {
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories.sort();
    for (const [key, entry] of Object.entries(messages)) {
      if (typeof entry === "string") continue;
      assert.deepEqual(Object.keys(entry).sort(), categories, `${language} ${key}`);
    }
  }
});

test("English counts one day, and two or none days", () => {
  inLanguage("en", () => {
    assert.deepEqual([0, 1, 2, 10].map((n) => t("days.count", { n })), ["0 days", "1 day", "2 days", "10 days"]);
    assert.equal(t("competitors.deals", { n: 1 }), "1 deal");
    assert.equal(t("sync.conflicts", { n: 3 }), "3 conflicts to review");
    assert.equal(t("login.otherUserPending", { n: "1" }), "This device holds 1 unsent change of the previous user. Sign in as that user to send it before switching.");
  });
});

test("Japanese has one form for every count", () => {
  inLanguage("ja", () => {
    assert.deepEqual([0, 1, 2].map((n) => t("days.count", { n })), ["0日", "1日", "2日"]);
    assert.equal(t("mine.summary", { n: 1, unread: 0 }), "1件（未読 0件）");
  });
});

test("English day counts on the screens read right for one day", () => {
  const now = Date.parse("2026-11-27T10:00:00+09:00");
  const deal = { id: "d1", stage: "proposal_quote", ball: "customer", ball_since: "2026-11-26T10:00:00+09:00" };
  inLanguage("en", () => {
    assert.equal(ballDays(deal, now), 1);
    assert.equal(badgeText(deal, now), "Since quote submitted 1 day · ball with customer");
    assert.equal(reasonText({ rule: "ours", days: 1, limit: 0 }), "ball with us 1 day (limit 0)");
    assert.equal(relativeDays(-1), "in 1 day");
    assert.equal(t("inbox.ageDays", { n: 1, target: 3 }), "1 business day old (target 3)");
  });
});

test("a count missing from the call falls back to the general form, never to nothing", () => {
  inLanguage("en", () => assert.equal(t("days.count"), "{n} days"));
});

test("an unknown key shows as itself, so a missing text is seen and not blank", () => {
  inLanguage("en", () => assert.equal(t("no.such.key"), "no.such.key"));
});

test("lists, asides and quoted names take the punctuation of the language", () => {
  const link = { tagName: "A" }; // an element stays as it is, between the quotes
  inLanguage("en", () => {
    assert.equal(list(["Tight budget", "Spec change"]), "Tight budget, Spec change");
    assert.equal(list(["Manufacturing", "Technician"], { short: true }), "Manufacturing, Technician");
    assert.equal(t("text.aside", { text: "丸栄精機工業", aside: "溶接フレーム" }), "丸栄精機工業 (溶接フレーム)");
    assert.deepEqual(pieces("text.named", { kind: "Visit", name: link }), ["Visit", " “", link, "”"]);
  });
  inLanguage("ja", () => {
    assert.equal(list(["予算が厳しい", "仕様変更"]), "予算が厳しい、仕様変更");
    assert.equal(list(["製造", "保守"], { short: true }), "製造・保守");
    assert.equal(t("text.aside", { text: "丸栄精機工業", aside: "溶接フレーム" }), "丸栄精機工業（溶接フレーム）");
    assert.deepEqual(pieces("text.named", { kind: "訪問", name: link }), ["訪問", "「", link, "」"]);
  });
});

test("the daily report drafted in English has no Japanese punctuation around its words", () => {
  const visit = { id: "v1", customer_id: "c1", kind: "aftercare", visited_at: "2026-12-03T10:00:00+09:00",
    purpose: "Inspection", handling: "Belt adjusted", next_action: "Send the quote", work_minutes: 90,
    parts: [{ name: "Belt", quantity: 2 }, { name: "Bearing 6204", quantity: 1 }] };
  const day = { visits: [visit], customers: new Map([["c1", { id: "c1", name: "Yamada Works" }]]),
    requests: [{ id: "r1", visit_id: "v1", kind: "complaint", title: "Roller noise", route_to: "manufacturing" },
      { id: "r2", visit_id: null, kind: "complaint", title: "Late delivery", route_to: "sales" }] };
  inLanguage("en", () => {
    const text = draftSummary(day);
    assert.match(text, /Yamada Works \(Aftercare\) 90 min/);
    assert.match(text, /Parts used: Belt×2, Bearing 6204×1/);
    assert.match(text, /Complaint: Roller noise \(→ Manufacturing\)/);
    assert.doesNotMatch(text, /[（）「」、。：　]/);
  });
  inLanguage("ja", () => {
    assert.match(draftSummary(day), /Yamada Works（アフターサービス） 90分\n {2}目的：Inspection\n/);
    assert.match(draftSummary(day), /使用部品：Belt×2、Bearing 6204×1/);
  });
});

test("a request not yet routed by the server is written without a route, not as the office's", () => {
  const day = { customers: new Map([["c1", { name: "山田製作所" }]]),
    visits: [{ id: "v1", customer_id: "c1", kind: "aftercare", visited_at: "2026-11-27T10:00:00+09:00" }],
    requests: [{ id: "r1", visit_id: "v1", kind: "complaint", title: "ローラーの異音", route_to: null },
      { id: "r2", visit_id: "v1", kind: "request", title: "予備部品", route_to: "manufacturing" }] };
  inLanguage("ja", () => {
    const text = draftSummary(day);
    assert.match(text, /クレーム：ローラーの異音\n/);
    assert.match(text, /：予備部品（→ 製造）/);
    assert.doesNotMatch(text, /事務/);
  });
});
