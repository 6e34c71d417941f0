"""Data categories: the vocabulary shared by classification, findings and policy packs.

Law groups (Decree 53's personal / user-created / relationships, Decree 13's basic /
sensitive...) are sets of these names, defined in the policy packs, not here.

Example:
    >>> "phone_number" in CATEGORIES
    True
    >>> sorted(validate_categories(["email", "biometric"]))
    ['biometric', 'email']
"""

from __future__ import annotations

from collections.abc import Iterable

from onshore.core.errors import UnknownCategory

#: Each category with a one-line description and its closest fideslang data category.
CATEGORY_INFO: dict[str, tuple[str, str]] = {
    "person_name": ("A person's full, given or family name", "user.name"),
    "date_of_birth": ("Date of birth", "user.demographic.date_of_birth"),
    "gender": ("Gender or sex", "user.demographic.gender"),
    "nationality": ("Nationality or citizenship", "user.demographic"),
    "address": ("Postal or residential address", "user.contact.address"),
    "phone_number": ("Telephone number", "user.contact.phone_number"),
    "email": ("E-mail address", "user.contact.email"),
    "national_id": (
        "National identity number (CCCD, CMND, ...)",
        "user.government_id.national_identification_number",
    ),
    "passport_number": ("Passport number", "user.government_id.passport_number"),
    "tax_id": ("Tax identification number", "user.government_id"),
    "account_name": ("Account or user name on the service", "user.account.username"),
    "ip_address": ("IP address", "user.device.ip_address"),
    "device_id": ("Device identifier", "user.device.device_id"),
    "login_time": ("Login, logout or usage time", "user.behavior"),
    "location": ("Location derived from the service", "user.location"),
    "card_number": ("Payment card number", "user.financial.credit_card"),
    "bank_account": ("Bank account number", "user.financial.bank_account"),
    "financial": ("Other financial or payment customer data", "user.financial"),
    "relationship": ("Friends, followers, groups and other relationships", "user.social"),
    "ethnicity": ("Ethnic origin", "user.demographic.race_ethnicity"),
    "religion": ("Religious or philosophical beliefs", "user.demographic.religious_belief"),
    "political_opinion": ("Political opinions", "user.demographic.political_opinion"),
    "health": ("Health data", "user.health_and_medical"),
    "genetic": ("Genetic data", "user.health_and_medical.genetic"),
    "biometric": ("Biometric data (templates, embeddings, fingerprints, face)", "user.biometric"),
    "sex_life": ("Sex life or sexual orientation", "user.sexual_orientation"),
    "criminal_record": ("Criminal convictions or records", "user.criminal_history"),
    "user_content": ("Content the user created (posts, messages)", "user.content"),
    "system_log": ("System logs about the user's use of the service", "system.operations"),
}

#: The category vocabulary (DESIGN §2, an interface).
CATEGORIES: frozenset[str] = frozenset(CATEGORY_INFO)


def validate_categories(names: Iterable[str]) -> frozenset[str]:
    """Return ``names`` as a frozenset, or raise ``UnknownCategory`` naming the first bad one."""
    result = frozenset(names)
    unknown = sorted(result - CATEGORIES)
    if unknown:
        raise UnknownCategory(f"unknown data category {unknown[0]!r}", details={"unknown": unknown})
    return result


def fideslang_key(category: str) -> str:
    """The closest fideslang data-category key for ``category``.

    Example:
        >>> fideslang_key("email")
        'user.contact.email'
    """
    validate_categories([category])
    return CATEGORY_INFO[category][1]
