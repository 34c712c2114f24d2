from django import template

register = template.Library()


@register.filter
def percent(rate) -> str:
    """A rate (0..1, or None when there is nothing to count) as 87.5%."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


@register.filter
def rate_class(rate) -> str:
    if rate is None:
        return "none"
    return "low" if rate < 0.5 else ("mid" if rate < 0.8 else "high")
