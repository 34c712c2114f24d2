"""Demo data of the service package, the visiting team and the coverage register (all 示例
except the five aspect names): the sample catalogue, applications in every state, new-sector
organisations, visit plans and records with needs followed up."""

from gridgov.demo.loaders import xinjing_town
from gridgov.demo.registry import DemoContext, register

from . import sample_catalogue


@register("services_catalogue", after=("registry",))
def load_catalogue(context: DemoContext) -> None:
    town = xinjing_town()
    report = sample_catalogue.install(town)
    context.write(f"服务清单：{report.rows} 项（示例）")
