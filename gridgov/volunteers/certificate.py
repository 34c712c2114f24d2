"""The certificate of service hours (志愿服务时长证明): an HTML page to print, and a Word document
(python-docx). Both take their figures from the ledger (ledger.volunteer_totals), never from a
recount of their own; each issue is audited."""

import io

from django.http import HttpResponse
from django.utils import timezone

from gridgov.core import audit

try:
    import docx
    from docx.shared import Pt

    DOCX_AVAILABLE = True
except ImportError:  # the HTML page still prints
    DOCX_AVAILABLE = False

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STARS = "★"


def record_issue(volunteer, *, actor, kind: str) -> None:
    audit.record("volunteers.certificate.issued", actor=actor, target=volunteer,
                 changes={"format": kind, "minutes": volunteer.total_minutes})


def lines(volunteer, figures) -> list[str]:
    """The certificate's text, the same on paper and in Word."""
    org = volunteer.organisation.name
    out = [
        f"兹证明 {volunteer.name} 同志（志愿者编号 V{volunteer.pk:07d}）自加入新泾镇向“新”力志愿服务联盟以来，"
        f"经{org}组织参加志愿服务 {figures['services']} 次，累计服务时长 {figures['hours']} 小时"
        + (f"，达到{figures['star']}星级志愿者标准。" if figures["star"] else "。"),
    ]
    for year in figures["years"]:
        out.append(f"{year['year']} 年：{year['hours']} 小时（{year['services']} 次）")
    for project in figures["projects"]:
        out.append(f"{project['project']}：{project['hours']} 小时")
    out.append("服务时长依据活动现场签到、签退记录计算。")
    return out


def docx_response(volunteer, figures) -> HttpResponse:
    if not DOCX_AVAILABLE:
        return HttpResponse("Word 格式暂不可用，请打印网页版证明", status=501,
                            content_type="text/plain; charset=utf-8")
    document = docx.Document()
    title = document.add_heading("志愿服务时长证明", level=1)
    title.alignment = 1
    for text in lines(volunteer, figures):
        paragraph = document.add_paragraph(text)
        for run in paragraph.runs:
            run.font.size = Pt(12)
    document.add_paragraph("")
    document.add_paragraph("新泾镇向“新”力志愿服务联盟（盖章）")
    document.add_paragraph(timezone.localdate().strftime("%Y年%m月%d日"))
    out = io.BytesIO()
    document.save(out)
    response = HttpResponse(out.getvalue(), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="certificate-V{volunteer.pk:07d}.docx"'
    return response
