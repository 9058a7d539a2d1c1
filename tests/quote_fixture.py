"""A fixed set of realistic past quotes of three customers (two teams) for the search tests."""

CUSTOMERS = {
    # key: (name, owner login)
    "yamada": ("山田製作所", "rep_a"),
    "toyo": ("東洋精機株式会社", "rep_a"),
    "osaka": ("大阪金属工業", "rep_b"),
}

# key: (customer, fields). Widths, kana and case vary on purpose, as typed by different people.
QUOTES = {
    "shaft_sus": ("yamada", dict(
        product="シャフト", drawing_no="YS-2023-0153", material="SUS304", dimensions="φ45×120",
        processing_method="旋盤", processing_details="NC旋盤で外径・ねじ加工→バリ取り→電解研磨",
        difficulties="細長比が大きく、びびりが出やすい。ねじ部の同軸度0.02の要求あり。",
        quantity=50, amount=250000, actual_cost=290000, lead_time_days=14,
        submitted_at="2024-03-12T10:00:00+09:00", status="accepted")),
    "shaft_sus_repeat": ("yamada", dict(
        product="シャフト", drawing_no="YS-2023-0153-B", material="ＳＵＳ３０４", dimensions="φ45×125",
        processing_method="旋盤", processing_details="NC旋盤で外径・ねじ加工→バリ取り",
        difficulties="びびり対策で回転数を落とした。",
        quantity=30, amount=160000, actual_cost=150000, lead_time_days=14,
        submitted_at="2025-06-02T10:00:00+09:00", status="accepted")),
    "flange_ss400": ("yamada", dict(
        product="フランジ", drawing_no="YS-2024-0201", material="SS400", dimensions="φ200×t20",
        processing_method="旋盤", processing_details="NC旋盤で外径・内径加工→穴あけ→黒染め",
        difficulties="ボルト穴のピッチ精度の要求あり。", quantity=10, amount=98000, actual_cost=90000,
        submitted_at="2024-07-01T10:00:00+09:00", status="accepted")),
    "flange_sus316l": ("toyo", dict(
        product="フランジ", drawing_no="TS-2024-0088", material="SUS316L", dimensions="φ150×t16",
        processing_method="マシニング", processing_details="立形マシニングセンタで多面加工（2段取り）→三次元測定",
        difficulties="加工硬化しやすく工具摩耗が大きい。", quantity=20, amount=320000, actual_cost=355000,
        submitted_at="2024-09-18T10:00:00+09:00", status="accepted")),
    "bracket_weld": ("toyo", dict(
        product="ブラケット", drawing_no="TS-2023-0412", material="SS400", dimensions="200×150×t3.2",
        processing_method="溶接", processing_details="レーザー切断→曲げ→TIG溶接→歪み取り→塗装",
        difficulties="薄板のため溶接歪みが出やすい。", quantity=100, amount=180000, actual_cost=210000,
        submitted_at="2023-11-20T10:00:00+09:00", status="accepted")),
    "cover_a5052": ("yamada", dict(
        product="カバー", drawing_no="YS-2024-0310", material="A5052", dimensions="400×300×t1.5",
        processing_method="曲げ", processing_details="タレパン抜き→ベンダー曲げ→白アルマイト",
        difficulties="外観部品のためキズ厳禁。", quantity=40, amount=260000,
        submitted_at="2024-10-03T10:00:00+09:00", status="submitted")),
    "housing_a6061": ("toyo", dict(
        product="ハウジング", drawing_no="TS-2025-0015", material="A6061", dimensions="120×80×60",
        processing_method="マシニング", processing_details="5軸マシニングセンタで一体加工→硬質アルマイト",
        difficulties="薄肉形状で加工時のひずみに注意。", quantity=5, amount=210000, actual_cost=198000,
        submitted_at="2025-01-22T10:00:00+09:00", status="accepted")),
    "jig_plate": ("yamada", dict(
        product="治具プレート", drawing_no="YS-2022-0077", material="A5052", dimensions="300×200×t12",
        processing_method="フライス", processing_details="フライス盤で六面加工→穴あけ・タップ",
        difficulties="平面度0.02の要求あり。", quantity=2, amount=64000, actual_cost=61000,
        submitted_at="2022-12-05T10:00:00+09:00", status="accepted")),
    "base_plate": ("toyo", dict(
        product="ベースプレート", drawing_no="TS-2023-0190", material="SS400", dimensions="600×400×t25",
        processing_method="フライス", processing_details="フライス盤で六面加工→ひずみ取り焼鈍",
        difficulties="長尺のため段取りに時間がかかる。", quantity=1, amount=145000, actual_cost=170000,
        submitted_at="2023-05-15T10:00:00+09:00", status="accepted")),
    "bush_c3604": ("yamada", dict(
        product="ブッシュ", drawing_no="YS-2024-0420", material="C3604", dimensions="φ20×30",
        processing_method="旋盤", processing_details="自動盤で外径・内径加工→ニッケルめっき",
        difficulties="切粉が細かく、巻き付き対策が必要。", quantity=500, amount=190000, actual_cost=175000,
        submitted_at="2024-11-11T10:00:00+09:00", status="accepted")),
    "nozzle_sus316l": ("toyo", dict(
        product="ノズル", drawing_no="TS-2024-0150", material="SUS316L", dimensions="φ16×80",
        processing_method="旋盤", processing_details="NC旋盤で外径・細穴加工→電解研磨",
        difficulties="φ1.2の細穴加工あり。", quantity=30, amount=144000,
        submitted_at="2024-06-20T10:00:00+09:00", status="rejected")),
    "frame_weld": ("toyo", dict(
        product="架台フレーム", drawing_no="TS-2022-0301", material="SS400", dimensions="1500×800×H900",
        processing_method="溶接", processing_details="角パイプ切断→治具組み→半自動溶接→歪み取り→塗装",
        difficulties="溶接後の平面度0.2以内の要求あり。", quantity=1, amount=420000, actual_cost=505000,
        submitted_at="2022-08-30T10:00:00+09:00", status="accepted")),
    "guide_rail": ("yamada", dict(
        product="ガイドレール", drawing_no="YS-2023-0277", material="S45C", dimensions="800×40×30",
        processing_method="研磨", processing_details="フライス加工→高周波焼入れ→平面研削",
        difficulties="焼入れ後の反りを研磨で取る必要あり。", quantity=4, amount=236000, actual_cost=228000,
        submitted_at="2023-09-07T10:00:00+09:00", status="accepted")),
    "manifold": ("toyo", dict(
        product="マニホールドブロック", drawing_no="TS-2025-0102", material="A5052", dimensions="150×100×80",
        processing_method="マシニング", processing_details="マシニングセンタで多面加工→深穴加工→洗浄",
        difficulties="深穴加工（L/D=8）あり。交差穴のバリ取りに手間。", quantity=10, amount=380000,
        submitted_at="2025-04-10T10:00:00+09:00", status="submitted")),
    "pipe_joint": ("yamada", dict(
        product="配管継手", drawing_no="YS-2025-0033", material="SUS304", dimensions="φ30×60",
        processing_method="旋盤", processing_details="NC旋盤でねじ加工→バリ取り→不動態化処理",
        difficulties="管用テーパねじの検査に時間がかかる。", quantity=200, amount=300000, actual_cost=284000,
        submitted_at="2025-02-14T10:00:00+09:00", status="accepted")),
    "panel_laser": ("toyo", dict(
        product="制御盤パネル", drawing_no="TS-2024-0333", material="SPCC", dimensions="500×400×t1.2",
        processing_method="レーザー", processing_details="ファイバーレーザー切断→曲げ→粉体塗装",
        difficulties="保護フィルム付き材のため加工条件の調整が必要。", quantity=20, amount=176000, actual_cost=168000,
        submitted_at="2024-05-09T10:00:00+09:00", status="accepted")),
    "gear": ("yamada", dict(
        product="平歯車", drawing_no="YS-2024-0111", material="S45C", dimensions="φ80×20",
        processing_method="ホブ盤", processing_details="旋盤で素材加工→ホブ切り→高周波焼入れ",
        difficulties="焼入れ歪みで歯形精度が落ちる。", quantity=12, amount=132000, actual_cost=149000,
        submitted_at="2024-04-01T10:00:00+09:00", status="accepted")),
    "sleeve_halfwidth": ("yamada", dict(
        product="ｽﾘｰﾌﾞ", drawing_no="ys-2023-0099", material="sus303", dimensions="Φ35×50",
        processing_method="ｾﾝﾊﾞﾝ", processing_details="外径研磨仕上げ", difficulties="内径の真円度要求。",
        quantity=60, amount=96000, actual_cost=90000,
        submitted_at="2023-02-20T10:00:00+09:00", status="accepted")),
    "spacer_pom": ("toyo", dict(
        product="スペーサー", drawing_no="TS-2025-0201", material="ジュラコン（POM）", dimensions="φ25×10",
        processing_method="旋盤", processing_details="NC旋盤で突っ切り加工", difficulties="樹脂のため寸法が安定しにくい。",
        quantity=1000, amount=85000, submitted_at="2025-05-12T10:00:00+09:00", status="submitted")),
    "bracket_sus": ("yamada", dict(
        product="ブラケット", drawing_no="YS-2024-0512", material="ステンレス", dimensions="150×100×t2.0",
        processing_method="曲げ", processing_details="レーザー切断→ベンダー曲げ→ヘアライン",
        difficulties="曲げ順序によっては金型と干渉する。", quantity=50, amount=120000, actual_cost=118000,
        submitted_at="2024-12-02T10:00:00+09:00", status="accepted")),
    "tank_sus316l": ("toyo", dict(
        product="タンク", drawing_no="TS-2023-0350", material="SUS316L", dimensions="φ600×800",
        processing_method="溶接", processing_details="ロール曲げ→TIG溶接→酸洗→水張り試験",
        difficulties="溶接ビード外観の指定あり（手直し不可）。", quantity=1, amount=880000, actual_cost=960000,
        submitted_at="2023-07-19T10:00:00+09:00", status="accepted")),
    "aluminium_frame": ("yamada", dict(
        product="アルミフレーム", drawing_no="YS-2025-0140", material="アルミ", dimensions="1200×600",
        processing_method="切断・組立", processing_details="アルミ押出材の切断→タップ→組立",
        difficulties="部材点数が多く組立工数が読みにくい。", quantity=2, amount=150000,
        submitted_at="2025-03-03T10:00:00+09:00", status="submitted")),
    "iron_bracket": ("toyo", dict(
        product="取付金具", drawing_no="TS-2022-0500", material="鉄", dimensions="80×60×t4.5",
        processing_method="プレス", processing_details="抜き→曲げ→亜鉛めっき",
        difficulties="めっき後のねじ精度。", quantity=300, amount=90000, actual_cost=99000,
        submitted_at="2022-10-10T10:00:00+09:00", status="accepted")),
    "roller_shaft": ("toyo", dict(
        product="ローラーシャフト", drawing_no="TS-2025-0222", material="S45C", dimensions="φ40×450",
        processing_method="研磨", processing_details="NC旋盤荒加工→熱処理→円筒研削盤で仕上げ",
        difficulties="円筒度0.005の要求あり。", quantity=8, amount=168000,
        submitted_at="2025-07-07T10:00:00+09:00", status="submitted")),
    "osaka_shaft": ("osaka", dict(
        product="シャフト", drawing_no="OK-2024-0010", material="SUS304", dimensions="φ45×120",
        processing_method="旋盤", processing_details="NC旋盤で外径・ねじ加工→バリ取り",
        difficulties="びびりが出やすい。", quantity=50, amount=240000, actual_cost=260000,
        submitted_at="2024-08-08T10:00:00+09:00", status="accepted")),
    "osaka_cover": ("osaka", dict(
        product="カバー", drawing_no="OK-2024-0044", material="SUS304", dimensions="500×300×t1.5",
        processing_method="溶接", processing_details="レーザー切断→曲げ→TIG溶接→ヘアライン",
        difficulties="溶接焼けの除去。", quantity=10, amount=150000,
        submitted_at="2024-09-09T10:00:00+09:00", status="submitted")),
}

# Pairs a machinist would call the same part: the partner must rank in the top 3.
SAME_PART = [
    ("shaft_sus", "shaft_sus_repeat"),
    ("shaft_sus_repeat", "shaft_sus"),
    ("flange_ss400", "flange_sus316l"),
    ("bracket_weld", "bracket_sus"),
    ("jig_plate", "base_plate"),
    ("roller_shaft", "guide_rail"),
    ("nozzle_sus316l", "pipe_joint"),
]
