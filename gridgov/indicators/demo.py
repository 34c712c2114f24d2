"""The demo's indicators: counted as soon as the sample cases exist, so that a leader who opens
the dashboard right after `make demo` sees the town's figures rather than "统计数据尚未生成"
(in a running installation every `gridgov tick` refreshes them)."""

from gridgov.demo.registry import register
from gridgov.indicators import rollup


@register("indicators", after=("cases",), last=True)
def load_indicators(context) -> None:
    """Rebuild the rollup from every case, as `cases_rollup --rebuild` does: last, after every
    loader that files cases (a visit's follow-up among them)."""
    days = rollup.rebuild()
    context.write(f"  统计数据已生成（{days} 天）")
