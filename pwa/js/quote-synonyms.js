// The synonym groups of quote search, the same as the server's server/quotes/synonyms.txt
// (tests/test_quote_search.py checks they agree): the first word of a group names it.

export const SYNONYMS = [
  ["ステンレス", "SUS", "ステン", "SUS304", "SUS303", "SUS316", "SUS316L", "SUS430", "SUS410"],
  ["アルミ", "アルミニウム", "アルミ合金", "A5052", "A6061", "A6063", "A7075", "A2017", "A1050", "A5083"],
  ["鉄", "鋼材", "一般構造用圧延鋼材", "SS400", "SS41", "SPCC", "SPHC", "SS材"],
  ["炭素鋼", "機械構造用炭素鋼", "S45C", "S50C", "S55C", "S35C"],
  ["真鍮", "黄銅", "快削黄銅", "C3604", "C2801", "BsBM"],
  ["樹脂", "プラスチック", "POM", "ジュラコン", "MCナイロン", "PEEK", "ABS"],
  ["旋盤", "せんばん", "旋削", "NC旋盤", "ターニング"],
  ["フライス", "フライス盤", "フライス加工"],
  ["マシニング", "マシニングセンタ", "MC加工"],
  ["研磨", "けんま", "研削", "円筒研削", "平面研削"],
  ["溶接", "ようせつ", "TIG溶接", "MIG溶接", "半自動溶接", "スポット溶接"],
  ["曲げ", "ベンダー", "板金曲げ", "曲げ加工"],
  ["レーザー", "レーザー切断", "レーザ", "レーザ加工"],
];
