"""A seeded generator of labelled Vietnamese platform data (users table + free-text posts).

Everything is fictitious: names are drawn from common family/middle/given names, phone
numbers from valid Vietnamese ranges, ID numbers with random digits. Labels say where each
piece of personal data is (cell, or character span inside free text) and its category.
Decoys (order and tracking numbers, prices, versions, hashes, UUIDs, Luhn-invalid 16-digit
strings, invalid phone-like numbers) carry no label and must not be reported.

Example:
    >>> corpus = generate(seed=1, users=5, posts=5)
    >>> len(corpus.users), len(corpus.posts) > 0, corpus.labels[0].category in CATEGORY_NAMES
    (5, True, True)
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from onshore.core.taxonomy import CATEGORIES

CATEGORY_NAMES = CATEGORIES

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trương",
    "Lâm",
    "Mai",
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Gia", "Tuấn", "Xuân"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Minh", "Thanh", "Bích", "Kim", "Hồng", "Mỹ", "Phương"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hùng",
    "Huy",
    "Khoa",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tài",
    "Thắng",
    "Trung",
    "Tùng",
    "Việt",
    "Vinh",
    "Hải",
    "Đạt",
]
GIVEN_F = [
    "Anh",
    "Chi",
    "Hà",
    "Hạnh",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Uyên",
    "Vy",
    "Yến",
    "Hằng",
    "Ngân",
]
STREETS = [
    "Nguyễn Trãi",
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Điện Biên Phủ",
    "Cách Mạng Tháng Tám",
    "Nguyễn Văn Cừ",
    "Láng Hạ",
    "Kim Mã",
]
PLACES = [
    ("Phường Bến Nghé", "Quận 1", "TP. Hồ Chí Minh"),
    ("Phường 5", "Quận 3", "TP.HCM"),
    ("Phường Láng Hạ", "Quận Đống Đa", "Hà Nội"),
    ("Phường Hải Châu 1", "Quận Hải Châu", "Đà Nẵng"),
    ("Xã Ea Tu", "TP. Buôn Ma Thuột", "Đắk Lắk"),
    ("Phường Tân Định", "Quận 1", "TP. Hồ Chí Minh"),
    ("Phường Dịch Vọng", "Quận Cầu Giấy", "Hà Nội"),
    ("Phường An Hòa", "Quận Ninh Kiều", "Cần Thơ"),
]
ETHNIC = [
    "Kinh",
    "Kinh",
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "Mông",
    "Dao",
    "Ê Đê",
]
RELIGION = ["Không", "Phật giáo", "Công giáo", "Tin Lành", "Cao Đài", "Hòa Hảo"]
POLITICAL = ["Không tiết lộ", "Trung lập", "Không quan tâm", "Khác"]
MOBILE_PREFIX = [
    "90",
    "91",
    "93",
    "94",
    "96",
    "97",
    "98",
    "86",
    "88",
    "89",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "38",
    "39",
    "70",
    "76",
    "77",
    "78",
    "79",
    "81",
    "82",
    "83",
    "84",
    "85",
    "56",
    "58",
    "99",
]
LANDLINE = ["28", "24", "236", "292", "251"]
CCCD_CODES = ["001", "079", "048", "031", "092", "036", "038", "040", "075", "066"]
VN_IPS = ["14.160.", "113.161.", "27.72.", "118.69.", "42.112.", "171.224.", "116.96."]
FOREIGN_IPS = ["8.8.", "52.95.", "151.101.", "203.116.", "80.12."]


@dataclass(frozen=True)
class Label:
    """One piece of personal data: table, row, column, category, optional span."""

    table: str
    row: int
    column: str
    category: str
    start: int | None = None
    end: int | None = None


@dataclass
class Corpus:
    """Generated tables (lists of row dicts) and their labels."""

    users_columns: list[str]
    users: list[dict[str, str | None]]
    posts_columns: list[str]
    posts: list[dict[str, str | None]]
    labels: list[Label] = field(default_factory=list)

    def labels_for(self, table: str) -> list[Label]:
        """Labels of one table."""
        return [lab for lab in self.labels if lab.table == table]


def strip_accents(text: str) -> str:
    """``Nguyễn Văn An`` -> ``Nguyen Van An``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def name(self) -> str:
        r = self.r
        female = r.random() < 0.5
        parts = [r.choice(FAMILY), r.choice(MIDDLE_F if female else MIDDLE_M)]
        if r.random() < 0.3:
            parts.append(r.choice(MIDDLE_F if female else MIDDLE_M))
        parts.append(r.choice(GIVEN_F if female else GIVEN_M))
        name = " ".join(dict.fromkeys(parts))
        roll = r.random()
        if roll < 0.2:
            return strip_accents(name)
        if roll < 0.27:
            return name.upper()
        return name

    def mobile(self) -> str:
        r = self.r
        prefix = r.choice(MOBILE_PREFIX)
        if prefix == "99":
            prefix = r.choice(["993", "994", "995", "996", "997"])
        elif prefix == "89":
            prefix = r.choice(["896", "897", "898", "899"])  # 089 is mobile only for 089[6-9]
        rest = "".join(r.choice("0123456789") for _ in range(9 - len(prefix)))
        nsn = prefix + rest
        style = r.randrange(7)
        if style == 0:
            return "0" + nsn
        if style == 1:
            return f"0{nsn[:3]} {nsn[3:6]} {nsn[6:]}"
        if style == 2:
            return f"+84 {nsn[:2]} {nsn[2:5]} {nsn[5:]}"
        if style == 3:
            return "84" + nsn
        if style == 4:
            return f"0{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}"
        if style == 5:
            return f"+84{nsn}"
        return f"0{nsn[:2]}-{nsn[2:5]}-{nsn[5:]}"

    def landline(self) -> str:
        r = self.r
        area = r.choice(LANDLINE)
        rest = "".join(r.choice("0123456789") for _ in range(10 - len(area) - 1))
        local = r.choice("2345678") + rest
        return (
            f"(0{area}) {local[:4]} {local[4:]}"
            if r.random() < 0.5
            else f"0{area} {local[:4]} {local[4:]}"
        )

    def foreign_phone(self) -> str:
        return self.r.choice(
            ["+65 6123 4567", "+1 415 555 0132", "+44 20 7946 0958", "+61 2 9374 4000"]
        )

    def phone(self) -> str:
        roll = self.r.random()
        if roll < 0.8:
            return self.mobile()
        if roll < 0.92:
            return self.landline()
        return self.foreign_phone()

    def email(self, name: str) -> str:
        r = self.r
        base = strip_accents(name).lower().split()
        local = r.choice(
            [f"{base[-1]}.{base[0]}", f"{base[-1]}{r.randrange(100, 9999)}", "".join(base)]
        )
        domain = r.choice(["gmail.com", "yahoo.com.vn", "example.vn", "outlook.com", "fpt.edu.vn"])
        return f"{local}@{domain}"

    def cccd(self) -> str:
        r = self.r
        century = r.choice("0123" if r.random() < 0.1 else "01")
        year = f"{r.randrange(50, 99) if century in '01' else r.randrange(0, 8):02d}"
        return (
            r.choice(CCCD_CODES)
            + century
            + year
            + "".join(r.choice("0123456789") for _ in range(6))
        )

    def dob(self) -> str:
        r = self.r
        y, m, d = r.randrange(1955, 2007), r.randrange(1, 13), r.randrange(1, 29)
        return r.choice([f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d}/{m}/{y}"])

    def address(self) -> str:
        r = self.r
        ward, district, city = r.choice(PLACES)
        num = r.choice([str(r.randrange(1, 300)), f"{r.randrange(1, 200)}/{r.randrange(1, 40)}"])
        text = f"{num} {r.choice(STREETS)}, {ward}, {district}, {city}"
        return strip_accents(text) if r.random() < 0.15 else text

    def ip(self) -> str:
        r = self.r
        head = r.choice(VN_IPS if r.random() < 0.85 else FOREIGN_IPS)
        return head + f"{r.randrange(0, 256)}.{r.randrange(1, 255)}"

    def card(self) -> str:
        r = self.r
        head = r.choice(["9704", "4", "5" + r.choice("12345")])
        body = head + "".join(r.choice("0123456789") for _ in range(15 - len(head)))
        digits = body + _luhn_digit(body)
        return " ".join(digits[i : i + 4] for i in range(0, 16, 4)) if r.random() < 0.5 else digits

    def bad_card(self) -> str:
        card = self.card().replace(" ", "")
        return card[:-1] + str((int(card[-1]) + 1) % 10)

    def bank_account(self) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(self.r.choice([10, 12, 13, 14])))

    def tax_code(self) -> str:
        r = self.r
        while True:
            body = "0" + "".join(r.choice("0123456789") for _ in range(8))
            weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
            check = 10 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
            if check < 10:
                return body + str(check)

    def digits(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def hexs(self, n: int) -> str:
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


#: users-table columns: (English name, Vietnamese name, category or None for decoys).
USER_COLUMNS = [
    ("user_id", "ma_nguoi_dung", None),
    ("full_name", "ho_ten", "person_name"),
    ("phone", "so_dien_thoai", "phone_number"),
    ("email", "thu_dien_tu", "email"),
    ("date_of_birth", "ngay_sinh", "date_of_birth"),
    ("gender", "gioi_tinh", "gender"),
    ("national_id", "cccd", "national_id"),
    ("address", "dia_chi", "address"),
    ("ethnicity", "dan_toc", "ethnicity"),
    ("religion", "ton_giao", "religion"),
    ("political_view", "quan_diem_chinh_tri", "political_opinion"),
    ("last_login_ip", "dia_chi_ip", "ip_address"),
    ("bank_account", "so_tai_khoan", "bank_account"),
    ("card_number", "so_the", "card_number"),
    ("tax_code", "ma_so_thue", "tax_id"),
    ("fingerprint_template", "van_tay", "biometric"),
    ("health_status", "tinh_trang_suc_khoe", "health"),
    ("criminal_record", "tien_an", "criminal_record"),
    ("friends", "ban_be", "relationship"),
    ("username", "ten_dang_nhap", "account_name"),
    ("contact", "lien_he", "phone_number"),
    ("order_id", "ma_don_hang", None),
    ("tracking_number", "ma_van_don", None),
    ("price", "gia", None),
    ("app_version", "phien_ban", None),
    ("avatar_sha256", "anh_dai_dien_hash", None),
    ("request_id", "ma_yeu_cau", None),
    ("bio", "gioi_thieu", "user_content"),
]


def _style(name: str, r: random.Random) -> str:
    roll = r.random()
    if roll < 0.25:
        head, *rest = name.split("_")
        return head + "".join(p.capitalize() for p in rest)
    if roll < 0.35:
        return name.upper()
    return name


def generate(seed: int = 7, users: int = 400, posts: int = 400) -> Corpus:
    """A labelled corpus: a users table and a posts table with free text."""
    g = _Gen(seed)
    r = g.r
    names: list[str] = []
    chosen = []
    for en, vi, cat in USER_COLUMNS:
        base = vi if r.random() < 0.5 else en
        chosen.append((_style(base, r), cat, en))
    columns = [c for c, _, _ in chosen]
    corpus = Corpus(columns, [], ["post_id", "user_id", "noi_dung"], [])
    for i in range(users):
        name = g.name()
        names.append(name)
        values: dict[str, str | None] = {}
        for col, cat, en in chosen:
            spans: list[tuple[int, int, str]] = []
            if en == "bio":
                value, spans = _post(g, name)
            else:
                value = _user_value(g, en, name, i)
            if value is not None and r.random() < 0.04:
                value, spans = r.choice(["", "N/A", None]), []
            values[col] = value or None
            if cat is not None and value not in (None, "", "N/A"):
                corpus.labels.append(Label("users", i, col, cat))
            for start, end, span_cat in spans:
                corpus.labels.append(Label("users", i, col, span_cat, start, end))
        corpus.users.append(values)
    for i in range(posts):
        text, spans = _post(g, r.choice(names) if names else g.name())
        corpus.posts.append(
            {
                "post_id": str(100000 + i),
                "user_id": str(r.randrange(1, users + 1)),
                "noi_dung": text,
            }
        )
        corpus.labels.append(Label("posts", i, "noi_dung", "user_content"))
        for start, end, cat in spans:
            corpus.labels.append(Label("posts", i, "noi_dung", cat, start, end))
    return corpus


def _user_value(g: _Gen, en: str, name: str, i: int) -> str | None:
    r = g.r
    match en:
        case "user_id":
            return str(10000 + i)
        case "full_name":
            return name
        case "phone":
            return g.phone()
        case "contact":
            return g.mobile() if r.random() < 0.7 else g.landline()
        case "email":
            return g.email(name)
        case "date_of_birth":
            return g.dob()
        case "gender":
            return r.choice(["Nam", "Nữ", "male", "female", "Khác"])
        case "national_id":
            return g.cccd()
        case "address":
            return g.address()
        case "ethnicity":
            return r.choice(ETHNIC)
        case "religion":
            return r.choice(RELIGION)
        case "political_view":
            return r.choice(POLITICAL)
        case "last_login_ip":
            return g.ip()
        case "bank_account":
            return g.bank_account()
        case "card_number":
            return g.card()
        case "tax_code":
            return g.tax_code()
        case "fingerprint_template":
            return "FMR" + g.hexs(48)
        case "health_status":
            return r.choice(["Bình thường", "Tiểu đường type 2", "Huyết áp cao", "Hen suyễn"])
        case "criminal_record":
            return r.choice(["Không", "Có tiền án (2015)", "Không có"])
        case "friends":
            return (
                "["
                + ", ".join(str(r.randrange(10000, 99999)) for _ in range(r.randrange(1, 5)))
                + "]"
            )
        case "username":
            return strip_accents(name).lower().replace(" ", "_") + str(r.randrange(10, 99))
        case "order_id":
            return f"ORD-{r.randrange(2020, 2026)}-{g.digits(6)}"
        case "tracking_number":
            return r.choice(
                [f"VN{g.digits(9)}VN", g.digits(12), f"1Z{g.hexs(6).upper()}{g.digits(10)}"]
            )
        case "price":
            return r.choice(
                [
                    f"{r.randrange(10, 5000)}.000",
                    f"{r.randrange(1, 99)}.{r.randrange(100, 999)}.000",
                    str(r.randrange(10000, 9999999)),
                ]
            )
        case "app_version":
            return f"{r.randrange(1, 9)}.{r.randrange(0, 30)}.{r.randrange(0, 99)}"
        case "avatar_sha256":
            return g.hexs(64)
        case "request_id":
            return g.uuid()
    return None


def _post(g: _Gen, name: str, *, labelled: bool = True) -> tuple[str, list[tuple[int, int, str]]]:
    """A short post: sentences, some carrying personal data, some decoys."""
    r = g.r
    pieces: list[tuple[str, str | None]] = []
    openers = [
        "Chào cả nhà,",
        "Mọi người ơi,",
        "Cần bán gấp,",
        "Hôm nay trời đẹp quá.",
        "Shop ơi,",
        "Cảm ơn mọi người đã ủng hộ!",
        "Hello,",
        "Update:",
    ]
    pieces.append((r.choice(openers) + " ", None))
    for _ in range(r.randrange(1, 4)):
        kind = r.choice(
            [
                "phone",
                "phone",
                "email",
                "name",
                "address",
                "cccd",
                "card",
                "bank",
                "dob",
                "ip",
                "decoy",
                "decoy",
                "decoy",
                "plain",
            ]
        )
        if kind == "phone":
            pieces += [
                (r.choice(["Liên hệ ", "Gọi mình qua số ", "SĐT: ", "Zalo ", "call me at "]), None),
                (g.phone() if r.random() < 0.85 else g.mobile(), "phone_number"),
                (". ", None),
            ]
        elif kind == "email":
            pieces += [
                (r.choice(["Email: ", "gửi mail cho mình ", "mail: "]), None),
                (g.email(name), "email"),
                (" nhé. ", None),
            ]
        elif kind == "name":
            pieces += [
                (r.choice(["Mình là ", "Anh ", "Chị ", "Gặp bạn ", "Tên tôi là "]), None),
                (name, "person_name"),
                (r.choice([", rất vui được làm quen. ", " đã nhận hàng. "]), None),
            ]
        elif kind == "address":
            pieces += [
                (r.choice(["Địa chỉ: ", "Giao tới ", "Nhà mình ở "]), None),
                (g.address(), "address"),
                (". ", None),
            ]
        elif kind == "cccd":
            pieces += [
                (r.choice(["Số CCCD ", "CCCD: ", "căn cước công dân số "]), None),
                (g.cccd(), "national_id"),
                (" để xác minh. ", None),
            ]
        elif kind == "card":
            pieces += [
                (r.choice(["Thẻ ", "số thẻ Visa ", "thẻ ATM "]), None),
                (g.card(), "card_number"),
                (". ", None),
            ]
        elif kind == "bank":
            pieces += [
                (
                    r.choice(
                        ["STK Vietcombank ", "Số tài khoản: ", "chuyển khoản vào TK Techcombank "]
                    ),
                    None,
                ),
                (g.bank_account(), "bank_account"),
                (" nhé. ", None),
            ]
        elif kind == "dob":
            pieces += [
                (r.choice(["Ngày sinh: ", "sinh ngày ", "DOB "]), None),
                (g.dob(), "date_of_birth"),
                (". ", None),
            ]
        elif kind == "ip":
            pieces += [
                (r.choice(["Đăng nhập lạ từ IP ", "login from "]), None),
                (g.ip(), "ip_address"),
                (" lúc 12:30:45. ", None),
            ]
        elif kind == "decoy":
            pieces.append((_decoy(g), None))
        else:
            pieces.append(
                (
                    r.choice(
                        [
                            "Hàng đẹp lắm, 10 điểm. ",
                            "Ai đi cà phê không? ",
                            "Giá tốt quá trời. ",
                            "Chúc mọi người cuối tuần vui vẻ. ",
                        ]
                    ),
                    None,
                )
            )
    text = ""
    spans: list[tuple[int, int, str]] = []
    for piece, cat in pieces:
        if cat is not None and labelled:
            spans.append((len(text), len(text) + len(piece), cat))
        text += piece
    return text.strip(), spans


def _decoy(g: _Gen) -> str:
    r = g.r
    return r.choice(
        [
            f"Đơn hàng #{g.digits(10)} đã giao. ",
            f"Mã vận đơn: VN{g.digits(9)}VN. ",
            f"Mã vận đơn {g.digits(12)} đang giao. ",
            f"Giá chỉ {r.randrange(100, 999)}.000đ, "
            f"còn {r.randrange(1, 9)}.{r.randrange(100, 999)}.000 VND. ",
            f"Cập nhật phiên bản {r.randrange(1, 9)}.{r.randrange(0, 20)}.{r.randrange(0, 9)}. ",
            f"version {r.randrange(1, 9)}.{r.randrange(0, 20)}."
            f"{r.randrange(0, 9)}.{r.randrange(0, 99)} đã ra. ",
            f"commit {g.hexs(40)} ",
            f"request {g.uuid()} lỗi. ",
            f"Mã giao dịch {g.bad_card()} thất bại. ",
            f"gọi 0123 {g.digits(3)} {g.digits(3)} không được. ",
            f"Order {g.digits(16)} shipped. ",
            f"OTP {g.digits(6)} hết hạn. ",
        ]
    )
