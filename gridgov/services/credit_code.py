"""统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a 31-character
alphabet (digits and capitals without I, O, Z, S, V), the last one a check character computed
from the first seventeen with weights 3^i mod 31."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def normalize(value: str) -> str:
    """Upper case without spaces: how people type it and how it is stored."""
    return "".join((value or "").split()).upper()


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(value: str) -> bool:
    code = normalize(value)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return False
    return check_character(code[:17]) == code[17]


def with_check(first17: str) -> str:
    """The full code for seventeen characters (demo data and tests make valid codes with it)."""
    return first17 + check_character(first17)
