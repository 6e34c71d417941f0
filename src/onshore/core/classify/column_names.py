"""What a column or field name says: English and Vietnamese, with or without diacritics.

Names are split into folded tokens (``soDienThoai``, ``so_dien_thoai``, ``Số điện thoại`` and
``SODIENTHOAI`` all give ``so dien thoai``) and matched against phrase tables. When several
phrases match, the one ending last wins (an English compound's head is its last word:
``last_login_ip`` is an IP address), then the longest. Modifier tokens such as ``verified``,
``count`` or ``hash`` veto a match: ``email_verified`` holds no e-mail address.

Special categories (ethnicity, religion, political opinion, health, biometric, sex life,
criminal records) are recognised only here, by what a column is called, never by reading
what a text says.

Example:
    >>> name_categories("so_dien_thoai"), name_categories("lastLoginIp")
    (frozenset({'phone_number'}), frozenset({'ip_address'}))
    >>> name_categories("email_verified"), name_categories("quanDiemChinhTri")
    (frozenset(), frozenset({'political_opinion'}))
"""

from __future__ import annotations

import re
from functools import lru_cache

from onshore.core.classify.recognizer import fold

_P = tuple[str, ...]


def _bars(text: str) -> tuple[str, ...]:
    """Split a ``|``-separated table."""
    return tuple(text.split("|"))


#: Phrase tables, ``|``-separated.
_PHRASE_TEXT: dict[str, str] = {
    "person_name": (
        "=name|=ten|=ho|full name|fullname|first name|firstname|last name|lastname|given name|"
        "family name|surname|middle name|ho ten|hoten|ho va ten|ten khach hang|customer name|"
        "contact name|nguoi lien he|ten nguoi dung|real name|legal name|holder name|"
        "cardholder name|ten chu the|ten chu tai khoan|=ten day du|person name|patient name|"
        "employee name|ten nhan vien|recipient name|ten nguoi nhan|sender name|ten nguoi gui|"
        "owner name"
    ),
    "date_of_birth": (
        "dob|birthday|birth date|birthdate|date of birth|ngay sinh|ngaysinh|nam sinh|"
        "sinh nhat|ngay thang nam sinh|born|birth year|year of birth"
    ),
    "gender": ("gender|=sex|gioi tinh|gioitinh|=gioi"),
    "nationality": ("nationality|citizenship|quoc tich|quoctich"),
    "address": (
        "so nha|ten duong|phuong xa|xa phuong|tinh tp|tinh thanh pho|thon xom|=ap|"
        "dia chi thuong tru|"
        "address|addr|dia chi|diachi|street|=duong|=ward|=phuong|district|quan huyen|province|"
        "tinh thanh|=tinh|=city|thanh pho|postal code|postcode|zip|zipcode|noi o|cho o|"
        "thuong tru|tam tru|que quan|noi sinh|home address|shipping address|billing address|"
        "dia chi giao hang|address line"
    ),
    "phone_number": (
        "phone|mobile|=tel|telephone|msisdn|cellphone|=cell|sdt|so dien thoai|sodienthoai|"
        "dien thoai|dienthoai|=dt|so dt|di dong|contact number|phone number|=zalo|hotline|"
        "so di dong|mobile number|whatsapp|fax"
    ),
    "email": ("email|e mail|=mail|thu dien tu|email address|dia chi email|mail address"),
    "national_id": (
        "bhxh|so bhxh|ma so bhxh|social security|gplx|bang lai|bang lai xe|driver license|"
        "driving licence|driver licence|"
        "cccd|cmnd|=cmt|can cuoc|cancuoc|chung minh|national id|citizen id|id number|id card|"
        "identity number|so dinh danh|ma dinh danh|=ssn|nric|personal id|national identity|"
        "so cmnd|so cccd|identity card|citizen identity"
    ),
    "passport_number": ("passport|ho chieu|hochieu|passport number|so ho chieu"),
    "tax_id": ("tax id|tax code|tax number|taxid|=mst|ma so thue|masothue|=tin|vat number"),
    "account_name": (
        "zalo id|facebook|facebook id|=fb|nick facebook|telegram|=skype|"
        "username|user name|=login|login name|ten dang nhap|nickname|nick|display name|"
        "screen name|=handle|biet danh|account name|ten tai khoan|user handle|=alias"
    ),
    "ip_address": (
        "=ip|ip address|ipaddress|ipv4|ipv6|dia chi ip|client ip|remote addr|remote ip|"
        "source ip|src ip|login ip|last ip|user ip|ip addr|ip"
    ),
    "device_id": (
        "device id|deviceid|imei|udid|idfa|gaid|android id|ma thiet bi|mac address|mac addr|"
        "device token|push token|fcm token|advertising id|ad id|=device|device fingerprint|"
        "hardware id|serial number thiet bi"
    ),
    "login_time": (
        "last login|login at|login time|last seen|last active|last sign in|signed in at|"
        "thoi gian dang nhap|lan dang nhap cuoi|lan dang nhap|session start|last access|"
        "logged in at|login timestamp|last login at|logout at|logout time|online at|"
        "thoi gian truy cap"
    ),
    "location": (
        "vi do|kinh do|=toa do|"
        "location|=lat|=lng|=lon|latitude|longitude|gps|=geo|geolocation|vi tri|toa do|"
        "coordinates|check in location|geo point|last location|current location"
    ),
    "card_number": (
        "card number|card no|credit card|debit card|so the|=pan|cc number|ccnum|cardnumber|"
        "so the ngan hang|ma the|card pan"
    ),
    "bank_account": (
        "bank account|account number|account no|so tai khoan|sotaikhoan|stk|iban|"
        "tai khoan ngan hang|bank acc|acct no|acct number|bank account number"
    ),
    "financial": (
        "salary|=luong|muc luong|income|thu nhap|balance|so du|credit score|diem tin dung|"
        "loan|khoan vay|debt|khoan no|net worth|tai san|payment method|phuong thuc thanh toan|"
        "wallet balance|so du vi"
    ),
    "relationship": (
        "friends|friend ids|friend list|=friend|followers|following|follower ids|ban be|"
        "danh sach ban be|nguoi theo doi|contacts|contact list|danh ba|relationship|"
        "relationships|quan he|family members|nguoi than|spouse|vo chong|marital status|"
        "tinh trang hon nhan|group members|thanh vien nhom|blocked users|connections"
    ),
    "ethnicity": ("ethnicity|ethnic|ethnic group|dan toc|dantoc|race|chung toc"),
    "religion": ("religion|religious|ton giao|tongiao|tin nguong|faith|=dao"),
    "political_opinion": (
        "political|politics|chinh tri|quan diem chinh tri|dang phai|party affiliation|"
        "political view|political views|political opinion|khuynh huong chinh tri"
    ),
    "health": (
        "bhyt|so the bhyt|health insurance|"
        "health|medical|suc khoe|=benh|benh an|tien su benh|diagnosis|chan doan|blood type|"
        "nhom mau|disability|khuyet tat|allergy|allergies|di ung|vaccination|tiem chung|"
        "medication|medications|medical history|health status|tinh trang suc khoe|benh nen|"
        "icd code|pregnancy|mang thai"
    ),
    "genetic": ("genetic|genetics|=dna|dna sequence|genome|genotype|=gene|di truyen|=gen"),
    "biometric": (
        "biometric|biometrics|fingerprint|van tay|vantay|face embedding|face template|face id|"
        "faceid|face vector|face encoding|khuon mat|khuonmat|anh khuon mat|iris|mong mat|"
        "voiceprint|voice print|giong noi|sinh trac|sinh trac hoc|face|palm print|retina"
    ),
    "sex_life": (
        "sex life|sexual orientation|sexual|xu huong tinh duc|tinh duc|doi song tinh duc|"
        "gioi tinh sinh hoc khac|lgbt|orientation"
    ),
    "criminal_record": (
        "criminal|criminal record|criminal history|conviction|convictions|tien an|tien su|"
        "an tich|ly lich tu phap|pham toi|arrest|arrests|offence|offense|offences|offenses|"
        "tien an tien su"
    ),
    "user_content": (
        "=post|posts|post content|post body|content|message|messages|comment|comments|=bio|"
        "about me|bai viet|baiviet|binh luan|tin nhan|noi dung|caption|review|reviews|"
        "status update|=body|=text|gioi thieu|chat|note to|feedback|phan hoi"
    ),
    "system_log": (
        "user agent|useragent|access log|=log|logs|nhat ky|event log|audit log|request log|"
        "clickstream|log line|log message|raw log"
    ),
}
#: category -> phrases (space-separated folded tokens); a leading ``=`` means the whole name.
PHRASES: dict[str, tuple[str, ...]] = {k: _bars(v) for k, v in _PHRASE_TEXT.items()}

#: Tokens that veto any match: the column is about the thing, not the thing itself.
VETO: frozenset[str] = frozenset(
    _bars(
        "config|confirmed|consent|count|domain|enabled|encrypted|flag|format|has|hash|hashed|"
        "is|length|level|masked|md5|num|opt|optin|policy|provider|required|schema|settings|"
        "sha256|so luong|template|total|type|valid|verified|visibility|visible"
    )
)
#: Modifiers that turn a person-name phrase into something else (``product_name``).
_NOT_PERSON: frozenset[str] = frozenset(
    _bars(
        "account|app|bank|branch|brand|category|chi nhanh|city|column|company|cong ty|"
        "cua hang|device|display|domain|du an|event|field|file|group|host|image|item|key|"
        "login|ngan hang|org|organization|path|product|project|role|san pham|screen|shop|"
        "store|street|table|tag|team|user"
    )
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEP = re.compile(r"[^a-z0-9]+")


def tokens(name: str) -> tuple[str, ...]:
    """Folded tokens of a column name.

    Example:
        >>> tokens("soDienThoai"), tokens("Họ và tên"), tokens("LAST_LOGIN_IP")
        (('so', 'dien', 'thoai'), ('ho', 'va', 'ten'), ('last', 'login', 'ip'))
    """
    spaced = _CAMEL.sub(" ", name.replace("Đ", "D").replace("đ", "d"))
    return tuple(t for t in _SEP.split(fold(spaced)) if t)


def _compile() -> tuple[tuple[str, _P, bool, str], ...]:
    rules: list[tuple[str, _P, bool, str]] = []
    for category, phrases in PHRASES.items():
        for phrase in phrases:
            exact = phrase.startswith("=")
            words = tuple(phrase.lstrip("=").split())
            rules.append((category, words, exact, "".join(words)))
    return tuple(rules)


_RULES = _compile()


def _index() -> tuple[dict[str, list[int]], dict[str, list[int]], list[int]]:
    """Rule numbers by what can select them: an exact phrase (by its glued words), the first
    word of a phrase, and the long phrases that may hide inside a single-word name."""
    exact: dict[str, list[int]] = {}
    first: dict[str, list[int]] = {}
    long: list[int] = []
    for n, (_, phrase, is_exact, glued) in enumerate(_RULES):
        if is_exact:
            exact.setdefault(glued, []).append(n)
            continue
        first.setdefault(phrase[0], []).append(n)
        if len(glued) >= 5:
            long.append(n)
    return exact, first, long


_EXACT, _FIRST, _LONG = _index()
_LONG_GLUED: dict[str, list[int]] = {}
for _n in _LONG:
    _LONG_GLUED.setdefault(_RULES[_n][3], []).append(_n)
_LONG_SIZES = sorted({len(g) for g in _LONG_GLUED})
#: Every long phrase starts with one of these 5 letters (``_LONG_SIZES`` starts at 5).
_LONG_HEADS = frozenset(g[:5] for g in _LONG_GLUED)


def _inside(joined: str) -> set[int]:
    """Long phrases occurring inside ``joined``: its slices looked up (few lengths) for a
    name of usual size, every phrase searched for a long one."""
    if len(joined) > 256:
        return {n for n in _LONG if _RULES[n][3] in joined}
    found: set[int] = set()
    for i in range(len(joined) - 4):  # only where a long phrase's first 5 letters are
        if joined[i : i + 5] in _LONG_HEADS:
            for size in _LONG_SIZES:
                found.update(_LONG_GLUED.get(joined[i : i + size], ()))
    return found


def _candidates(toks: _P, joined: str) -> list[int]:
    """The numbers (in rule order) of the rules that may match ``toks``; the others cannot."""
    found = set(_EXACT.get(joined, ()))
    for tok in set(toks):
        found.update(_FIRST.get(tok, ()))
    if len(toks) == 1:
        found |= _inside(joined)
    return sorted(found)


#: A biometric template or hash is still biometric data.
_VETO_EXEMPT: dict[str, set[str]] = {"biometric": {"template", "hash", "hashed", "encrypted"}}
_VETO_SINGLE = frozenset(v for v in VETO if " " not in v)


def _find(seq: _P, sub: _P) -> int:
    """Index just past the last occurrence of ``sub`` in ``seq``, or -1."""
    n = len(sub)
    for i in range(len(seq) - n, -1, -1):
        if seq[i : i + n] == sub:
            return i + n
    return -1


@lru_cache(maxsize=8192)
def name_match(name: str) -> tuple[str, str] | None:
    """The (category, phrase) a column name means, or None.

    Example:
        >>> name_match("customer_phone")
        ('phone_number', 'phone')
    """
    toks = tokens(name)
    if not toks:
        return None
    joined = "".join(toks)
    best: tuple[int, int, str, str] | None = None
    for n in _candidates(toks, joined):  # every rule was tried for every name: slow when wide
        category, phrase, exact, glued = _RULES[n]
        if exact:
            end = len(toks) if toks == phrase or joined == glued else -1
        else:
            end = _find(toks, phrase)
            if end < 0 and len(toks) == 1 and len(glued) >= 5 and glued in joined:
                end = 1
        if end < 0:
            continue
        if category == "person_name":
            before = toks[: end - len(phrase)]
            pairs = {" ".join(before[i : i + 2]) for i in range(len(before))}
            if _NOT_PERSON.intersection(before) or _NOT_PERSON.intersection(pairs):
                continue
        key = (end, len(phrase), category, " ".join(phrase))
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:
        return None
    allowed = set(best[3].split()) | _VETO_EXEMPT.get(best[2], set())
    if _VETO_SINGLE.intersection(set(toks) - allowed):
        return None
    return (best[2], best[3])


def name_categories(name: str) -> frozenset[str]:
    """The data categories a column or field name alone points to (cached per name)."""
    match = name_match(name)
    return frozenset() if match is None else frozenset({match[0]})
