"""Age rules: from what age a person may give consent on their own, per country, and what a shop asks.

GDPR Art. 8(1): where consent is the legal basis and a service is offered online directly to a
child, the child's own consent counts from 16; a Member State may lower that age by law, never
below 13. Below it, a parent or guardian has to give or approve the consent. Marketing e-mails
are sent on consent, so the shop asks whoever gives that consent online to confirm their age.

The table holds the ages national laws set; any other country gets the GDPR's default of 16,
the cautious choice. A shop may ask for a higher age than its country's (never a lower one).
Sources: the national acts named below, as mapped by Bird & Bird's GDPR tracker ("Children
online") and DataGuidance ("EU: Age of consent for children"); the research notes
(shared/notes/privacy-consent.md §0.5). Not legal advice: a shop unsure of its rules asks for 16.
"""

from __future__ import annotations

DEFAULT_CONSENT_AGE = 16  # GDPR Art. 8(1), where national law says nothing else
LOWEST_CONSENT_AGE = 13  # Art. 8(1): no Member State may go below it
HIGHEST_ASKED_AGE = 18  # a shop may ask for more than the law, up to adulthood

# The age from which a person's own consent counts (ISO 3166-1 alpha-2 -> years).
CONSENT_AGE_BY_COUNTRY: dict[str, int] = {
    # Checked against the trackers named above (the act, and its article where they give one):
    "AT": 14,  # Austria: Datenschutzgesetz § 4(4)
    "BE": 13,  # Belgium: Act of 30 July 2018, art. 7
    "CZ": 15,  # Czech Republic: Act 110/2019, § 7
    "DK": 13,  # Denmark: Databeskyttelsesloven § 6(3)
    "ES": 14,  # Spain: Ley Orgánica 3/2018 (LOPDGDD), art. 7
    "FI": 13,  # Finland: Tietosuojalaki (Data Protection Act 1050/2018)
    "FR": 15,  # France: Loi Informatique et Libertés as amended in 2018 (under 15: child and parent together)
    "IE": 16,  # Ireland: Data Protection Act 2018, s. 31
    "IT": 14,  # Italy: Codice privacy, art. 2-quinquies
    "NL": 16,  # Netherlands: UAVG (Implementation Act), art. 5
    "SE": 13,  # Sweden: Dataskyddslagen (2018:218)
    "SK": 16,  # Slovakia: Act 18/2018
    "GB": 13,  # United Kingdom: UK GDPR Art. 8 as set by the Data Protection Act 2018, s. 9
    # Set by national acts as commonly mapped; the article itself not re-checked here:
    "BG": 14,  # Bulgaria: Personal Data Protection Act as amended in 2019
    "CY": 14,  # Cyprus: Law 125(I)/2018
    "EE": 13,  # Estonia: Personal Data Protection Act 2018
    "GR": 15,  # Greece: Law 4624/2019
    "LT": 14,  # Lithuania: Law on the Legal Protection of Personal Data as amended in 2018
    "LV": 13,  # Latvia: Personal Data Processing Law 2018
    "MT": 13,  # Malta: Data Protection Act 2018 and its regulations
    "PT": 13,  # Portugal: Lei 58/2019
    "SI": 15,  # Slovenia: ZVOP-2 (2022)
    "IS": 13,  # Iceland (EEA): Act 90/2018
    "NO": 13,  # Norway (EEA): Personopplysningsloven 2018
    # 16: national law keeps Art. 8's own age or sets none (listed so the choice is visible):
    "DE": 16,  # Germany
    "HR": 16,  # Croatia
    "HU": 16,  # Hungary
    "LI": 16,  # Liechtenstein (EEA)
    "LU": 16,  # Luxembourg
    "PL": 16,  # Poland
    "RO": 16,  # Romania
    # Outside the GDPR: the nearest rule on a child's own consent online.
    "US": 13,  # United States: COPPA (15 U.S.C. 6501-6506) asks a parent's consent under 13
}


def legal_consent_age(country: str | None) -> int:
    """The age from which a person's own consent counts in `country` (16 when the table has no entry)."""
    return CONSENT_AGE_BY_COUNTRY.get((country or "").upper(), DEFAULT_CONSENT_AGE)


def marketing_consent_age(country: str | None, shop_choice: int | None = None) -> int:
    """The age a person must confirm to agree to marketing: the country's, or the shop's higher choice."""
    legal = legal_consent_age(country)
    if shop_choice is None:
        return legal
    return min(max(shop_choice, legal), HIGHEST_ASKED_AGE)


def allowed_marketing_ages(country: str | None) -> range:
    """The ages a shop in `country` may ask for marketing consent: its legal age up to 18."""
    return range(legal_consent_age(country), HIGHEST_ASKED_AGE + 1)
