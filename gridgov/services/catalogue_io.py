"""The town's catalogue to and from a spreadsheet: the town replaces the sample package with its
own in one step.

One row per item, columns by header (Chinese, any order; other columns ignored): 方面, 类别,
编号, 项目名称, 项目说明, 政策依据, 服务内容, 资源, 提供部门, 合作单位, 服务对象, 申请方式,
申请需填写, 承诺响应时间（工作日）, 承诺办结时间（工作日）, 启用, 示例. The export writes the same
columns, so an exported file imports unchanged.

All or nothing: every row is checked first and every error reported with its row; a file with
any error writes nothing. An accepted file becomes the town's catalogue: items are known by
编号 (updated in place), items missing from the file are deleted — or, when applications name
them, kept and switched off — and categories and aspects left empty are deleted.
"""

from django.db import transaction
from django.db.models import Count

from gridgov.core import audit, tabular
from gridgov.grids.io.errors import ErrorList, ImportReport
from gridgov.grids.io.place_import import read_table, table_rows
from gridgov.grids.models import Department, Town

from .models import Aspect, ServiceCategory, ServiceItem, TargetGroup

audit.register("services.catalogue.imported", "导入服务清单")

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
HEADERS = {
    "aspect": "方面", "category": "类别", "code": "编号", "name": "项目名称",
    "description": "项目说明", "policy": "政策依据", "provides": "服务内容", "resources": "资源",
    "department": "提供部门", "partner": "合作单位", "targets": "服务对象",
    "how_to_apply": "申请方式", "asks_for": "申请需填写",
    "response_days": "承诺响应时间（工作日）", "service_days": "承诺办结时间（工作日）",
    "is_active": "启用", "is_sample": "示例",
}
COLUMNS = {field: (label.lower(), field) for field, label in HEADERS.items()}
REQUIRED = ("aspect", "category", "code", "name", "response_days")
LENGTHS = {"aspect": 50, "category": 50, "code": 20, "name": 80, "partner": 100,
           "asks_for": 200}
TARGETS = {str(label): value for value, label in TargetGroup.choices}
YES, NO = ("是", "yes", "true", "1", "y"), ("否", "no", "false", "0", "n", "")
MAX_DAYS = 60


def _text(value) -> str:
    return tabular.without_csv_guard("" if value is None else str(value).strip())


def _days(number, field, value, errors, default=None):
    text = _text(value)
    if not text and default is not None:
        return default
    try:
        days = int(float(text))
    except ValueError:
        errors.add(number, field, "not_number", f"第{number}行“{HEADERS[field]}”应为整数")
        return None
    if not 1 <= days <= MAX_DAYS or days != float(text):
        errors.add(number, field, "out_of_range",
                   f"第{number}行“{HEADERS[field]}”应为1到{MAX_DAYS}的整数")
        return None
    return days


def _flag(number, field, value, errors, default: bool) -> bool | None:
    text = _text(value).lower()
    if text in YES and text:
        return True
    if text in NO:
        return default if not text else False
    errors.add(number, field, "bad_flag", f"第{number}行“{HEADERS[field]}”应为“是”或“否”")
    return None


def check_rows(table, town: Town) -> list[dict]:
    """Every row as the fields of an item, or ImportRefused with every row's errors."""
    departments = dict(Department.objects.filter(town=town).values_list("name", "pk"))
    errors, rows, codes, names = ErrorList(), [], {}, {}
    for number, cells in table_rows(table, COLUMNS, REQUIRED, HEADERS):
        row = {field: _text(cells.get(field)) for field in HEADERS}
        for field in REQUIRED:
            if not row[field]:
                errors.add(number, field, "required", f"第{number}行缺少“{HEADERS[field]}”")
        for field, length in LENGTHS.items():
            if len(row[field]) > length:
                errors.add(number, field, "too_long",
                           f"第{number}行“{HEADERS[field]}”最多{length}个字")
        if row["code"]:
            if row["code"] in codes:
                errors.add(number, "code", "duplicate",
                           f"第{number}行编号“{row['code']}”与第{codes[row['code']]}行重复")
            codes.setdefault(row["code"], number)
        key = (row["aspect"], row["category"], row["name"])
        if row["name"] and key in names:
            errors.add(number, "name", "duplicate",
                       f"第{number}行项目“{row['name']}”在同一类别中与第{names[key]}行重复")
        names.setdefault(key, number)
        row["department_id"] = None
        if row["department"]:
            row["department_id"] = departments.get(row["department"])
            if row["department_id"] is None:
                errors.add(number, "department", "unknown_department",
                           f"第{number}行提供部门“{row['department']}”不是本镇的部门")
        elif not row["partner"]:
            errors.add(number, "department", "no_provider",
                       f"第{number}行应填写提供部门或合作单位")
        targets = [t for t in row["targets"].replace(",", "、").replace("，", "、").split("、") if t]
        unknown = [t for t in targets if t not in TARGETS]
        if unknown:
            errors.add(number, "targets", "unknown_target",
                       f"第{number}行服务对象“{'、'.join(unknown)}”无法识别"
                       f"（可选：{'、'.join(TARGETS)}）")
        row["target_groups"] = ",".join(dict.fromkeys(TARGETS[t] for t in targets if t in TARGETS))
        row["response_days"] = _days(number, "response_days", cells.get("response_days"), errors)
        row["service_days"] = _days(number, "service_days", cells.get("service_days"), errors,
                                    default=10)
        row["is_active"] = _flag(number, "is_active", cells.get("is_active"), errors, True)
        row["is_sample"] = _flag(number, "is_sample", cells.get("is_sample"), errors, False)
        rows.append(row)
    errors.refuse_if_any()
    if not rows:
        errors.add(2, "", "empty", "文件中没有服务项目")
        errors.refuse_if_any()
    return rows


ITEM_FIELDS = ("name", "description", "policy", "provides", "resources", "partner",
               "how_to_apply", "asks_for", "response_days", "service_days", "is_active",
               "is_sample", "target_groups", "department_id")


def import_catalogue(data: bytes, *, town: Town, actor, filename: str = "") -> ImportReport:
    """Replace the town's catalogue with the file's (see the module's docstring)."""
    rows = check_rows(read_table(data, filename, max_rows=MAX_ROWS, max_bytes=MAX_BYTES), town)
    return replace_catalogue(rows, town=town, actor=actor)


def replace_catalogue(rows: list[dict], *, town: Town, actor) -> ImportReport:
    report = ImportReport(rows=len(rows))
    with transaction.atomic():
        aspects, categories, kept = {}, {}, set()
        for order, row in enumerate(rows):
            name = row["aspect"]
            if name not in aspects:
                aspects[name], _ = Aspect.objects.update_or_create(
                    town=town, name=name, defaults={"order": len(aspects) + 1,
                                                    "is_sample": row["is_sample"]})
            key = (name, row["category"])
            if key not in categories:
                categories[key], _ = ServiceCategory.objects.update_or_create(
                    aspect=aspects[name], name=row["category"],
                    defaults={"order": len(categories) + 1, "is_sample": row["is_sample"]})
            wanted = {f: row[f] for f in ITEM_FIELDS}
            item = ServiceItem.objects.filter(town=town, code=row["code"]).first()
            if item is None:
                item = ServiceItem(town=town, code=row["code"], category=categories[key], **wanted)
                item.save()
                report.created += 1
            elif all(getattr(item, f) == v for f, v in wanted.items()) and (
                    item.category_id == categories[key].pk):
                report.unchanged += 1
            else:
                for f, v in wanted.items():
                    setattr(item, f, v)
                item.category = categories[key]
                item.save()
                report.updated += 1
            kept.add(item.pk)
        gone = ServiceItem.objects.filter(town=town).exclude(pk__in=kept)
        in_use = gone.filter(applications__isnull=False).distinct()
        switched_off = in_use.filter(is_active=True).update(is_active=False)
        deleted, _ = gone.exclude(pk__in=in_use.values("pk")).delete()
        ServiceCategory.objects.filter(aspect__town=town).annotate(n=Count("items")).filter(
            n=0).delete()
        Aspect.objects.filter(town=town).annotate(n=Count("categories")).filter(n=0).delete()
        report.counts = {"deleted": deleted, "switched_off": switched_off}
        if report.created or report.updated or deleted or switched_off:
            # A file identical to the catalogue writes nothing, so there is nothing to audit.
            audit.record("services.catalogue.imported", actor=actor, target=town,
                         changes={"rows": len(rows), "created": report.created,
                                  "updated": report.updated, "deleted": deleted,
                                  "switched_off": switched_off})
    return report


def catalogue_rows(items):
    for item in items.select_related("category__aspect", "department"):
        yield (item.category.aspect.name, item.category.name, item.code, item.name,
               item.description, item.policy, item.provides, item.resources,
               item.department.name if item.department_id else "", item.partner,
               "、".join(item.target_labels()), item.how_to_apply, item.asks_for,
               item.response_days, item.service_days, "是" if item.is_active else "否",
               "是" if item.is_sample else "否")


def catalogue_sheet(town: Town) -> tabular.Sheet:
    items = ServiceItem.objects.filter(town=town).order_by(
        "category__aspect__order", "category__order", "code")
    return tabular.Sheet(title="服务清单", header=list(HEADERS.values()),
                         rows=catalogue_rows(items), widths={"D": 24, "E": 40})
