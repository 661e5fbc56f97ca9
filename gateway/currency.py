"""Currencies' scales: how many decimal places an amount of each ISO 4217 currency is shown with.

Upstreams answer amounts at whatever scale their JSON had (``7028``, ``18465.1``); the gateway shows
money at its currency's scale (``7028.00``, ``18465.10``), never rounding away a digit the upstream
gave: an amount finer than its currency's scale is shown as it is. A currency the table does not know
is shown as given.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["MINOR_UNITS", "at_scale"]

_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF "
    "CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ "
    "GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK "
    "MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB "
    "SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD "
    "USN UYU UZS VED VES WST XCD YER ZAR ZMW ZWL"
)

#: ISO 4217 minor units (decimal places) of the active currencies that have them.
MINOR_UNITS: dict[str, int] = {
    code: places for places, codes in ((0, _ZERO), (2, _TWO), (3, _THREE), (4, _FOUR)) for code in codes.split()
}


def at_scale(amount: Decimal, currency: str) -> Decimal:
    """``amount`` with at least its currency's decimal places (padded with zeros, never rounded)."""
    places = MINOR_UNITS.get(currency)
    if places is None or not amount.is_finite():
        return amount
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        return amount  # finer than the currency's scale: exactly as the upstream gave it
    return amount.quantize(Decimal(1).scaleb(-places))
