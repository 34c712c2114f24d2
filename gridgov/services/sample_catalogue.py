"""The package as the town published it: "5 大方面 28 类 76 项". The five aspect names are
real (新泾报, 2025-07); the 28 categories and 76 items below are invented to show the shape
(marked 示例) until the town imports its own list (gridgov.services.catalogue_io).

Each item: (name, target groups, provider, response days). A provider is a department's name in
the town or, in quotes of its own, a partner unit's.
"""

from .models import TargetGroup as T

B, S, N, C, R = (T.BUILDING_ENTERPRISES, T.STREET_SHOPS, T.NEW_EMPLOYMENT,
                 T.COLLECTIVE_ENTERPRISES, T.RESIDENTS)
PARTY = "新泾镇党群服务中心（示例）"
BUSINESS = "新泾镇营商服务办公室（示例）"
AFFAIRS = "新泾镇社区事务受理服务中心（示例）"
MARKET = "新泾市场监管所"
ENFORCEMENT = "新泾综合行政执法队"
PARTNER = "“最虹桥”党建联建成员单位（示例）"
# The departments the sample items name that a town may not have yet (the demo creates them).
SAMPLE_DEPARTMENTS = (PARTY, BUSINESS, AFFAIRS)
ASPECTS = ("“初心领航”服务", "楼宇服务", "街区服务", "集体企业服务", "“最虹桥”党建联建平台服务")

CATALOGUE = {
    "“初心领航”服务": {
        "党组织组建指导": [("党组织组建咨询", (B, S, N), PARTY, 3),
                           ("联合党支部挂靠", (B, S), PARTY, 5),
                           ("党员组织关系转接", (B, S, N), PARTY, 3)],
        "党员教育管理": [("流动党员报到", (N, S), PARTY, 2),
                         ("党员学习课堂进楼宇", (B,), PARTY, 5),
                         ("主题党日活动策划", (B, S, C), PARTY, 5)],
        "党建指导员": [("党建指导员结对", (B, S, C), PARTY, 5),
                       ("党务干部培训", (B, C), PARTY, 10)],
        "红色阵地": [("党群服务站点预约", (B, S, N, R), PARTY, 2),
                     ("红色观影活动", (B, N, R), PARTY, 5)],
        "先锋示范": [("党员先锋岗创建", (B, S), PARTY, 5),
                     ("优秀案例评选推荐", (B, S, C), PARTY, 10),
                     ("书记项目申报", (B, C), PARTY, 10),
                     ("党建品牌培育", (B, C), PARTY, 10)],
    },
    "楼宇服务": {
        "企业开办": [("企业开办咨询", (B,), BUSINESS, 1),
                     ("证照办理帮办", (B, S), BUSINESS, 2),
                     ("变更登记指导", (B, S), MARKET, 3)],
        "政策申报": [("惠企政策推送", (B, C), BUSINESS, 3),
                     ("扶持资金申报辅导", (B,), BUSINESS, 5),
                     ("高新企业认定辅导", (B,), BUSINESS, 5),
                     ("知识产权咨询", (B,), MARKET, 5)],
        "人才服务": [("人才公寓申请", (B,), AFFAIRS, 5),
                     ("落户政策咨询", (B,), AFFAIRS, 3),
                     ("招聘会摊位", (B, S), BUSINESS, 5)],
        "楼宇空间": [("会议室预约", (B,), PARTY, 1),
                     ("共享路演厅预约", (B,), BUSINESS, 2)],
        "职工关爱": [("职工健康讲座", (B,), AFFAIRS, 5),
                     ("午间文体活动", (B,), PARTY, 5),
                     ("楼宇职工交友联谊", (B,), PARTY, 10)],
        "法律服务": [("企业法律体检", (B, C), BUSINESS, 5),
                     ("劳动用工咨询", (B, S, N), AFFAIRS, 3)],
        "安全服务": [("消防安全培训", (B, S), ENFORCEMENT, 5),
                     ("楼宇安全检查指导", (B,), ENFORCEMENT, 5),
                     ("电梯应急演练", (B,), ENFORCEMENT, 10)],
    },
    "街区服务": {
        "店招店牌": [("店招店牌设置指导", (S,), ENFORCEMENT, 3),
                     ("门责制度签约", (S,), ENFORCEMENT, 3)],
        "食品安全": [("食品经营许可指导", (S,), MARKET, 3),
                     ("明厨亮灶改造指导", (S,), MARKET, 5),
                     ("食品安全培训", (S,), MARKET, 5)],
        "新就业群体关爱": [("骑手驿站休息", (N,), PARTY, 1),
                           ("电动车充电换电点", (N,), BUSINESS, 3),
                           ("外卖骑手健康体检", (N,), AFFAIRS, 5),
                           ("快递小哥子女暑托班", (N,), AFFAIRS, 5),
                           ("网约车司机如厕饮水点", (N,), PARTY, 2)],
        "商圈活力": [("商户促销活动报备", (S,), BUSINESS, 2),
                     ("街区市集摊位申请", (S, R), BUSINESS, 5)],
        "环境卫生": [("垃圾分类上门指导", (S, R), ENFORCEMENT, 3),
                     ("餐厨垃圾清运预约", (S,), ENFORCEMENT, 2),
                     ("油烟净化设施检查", (S,), ENFORCEMENT, 5)],
        "消防与用电": [("电动自行车充电安全检查", (S, N, R), ENFORCEMENT, 3),
                       ("商铺消防器材配备指导", (S,), ENFORCEMENT, 3),
                       ("燃气安全检查", (S, R), ENFORCEMENT, 3)],
    },
    "集体企业服务": {
        "资产管理": [("集体资产租赁咨询", (C,), BUSINESS, 3),
                     ("物业招商对接", (C,), BUSINESS, 5),
                     ("资产经营审计指导", (C,), BUSINESS, 10)],
        "治理规范": [("“三重一大”决策指导", (C,), PARTY, 5),
                     ("财务规范培训", (C,), BUSINESS, 10)],
        "转型发展": [("老旧厂房更新咨询", (C,), BUSINESS, 5),
                     ("项目招商推介", (C,), BUSINESS, 10)],
        "股东服务": [("股东分红政策解读", (C, R), BUSINESS, 5),
                     ("股权登记查询", (C, R), AFFAIRS, 3),
                     ("股东代表培训", (C,), PARTY, 10)],
    },
    "“最虹桥”党建联建平台服务": {
        "联建项目": [("联建项目申报", (B, C), PARTY, 10),
                     ("共建资源对接", (B, S, C), PARTNER, 5)],
        "志愿服务": [("志愿者招募对接", (B, S, R), PARTY, 5),
                     ("企业志愿服务项目认领", (B,), PARTY, 5)],
        "资源共享": [("场地资源共享", (B, S, N), PARTNER, 3),
                     ("文体设施共享", (B, N, R), PARTNER, 3),
                     ("培训课程共享", (B, C), PARTNER, 5)],
        "交流活动": [("企业沙龙", (B,), BUSINESS, 10),
                     ("跨界联谊活动", (B, S), PARTY, 10)],
        "人才培养": [("青年人才培训营", (B,), PARTY, 10),
                     ("导师结对", (B, N), PARTNER, 10)],
        "公益助力": [("公益项目对接", (B, S), PARTNER, 5),
                     ("困难群众帮扶认领", (B, S, R), PARTY, 5),
                     ("微心愿认领", (B, S, N, R), PARTY, 5)],
    },
}


def rows():
    """The catalogue as the import reads it (gridgov.services.catalogue_io.COLUMNS)."""
    number = 0
    for aspect, categories in CATALOGUE.items():
        for category, items in categories.items():
            for name, targets, provider, days in items:
                number += 1
                department, partner = (("", provider) if provider == PARTNER
                                       else (provider, ""))
                yield {
                    "aspect": aspect, "category": category, "code": f"JC{number:03d}",
                    "name": name,
                    "description": f"为{'、'.join(str(t.label) for t in targets)}提供“{name}”服务（示例）。",
                    "policy": "依据新泾镇“泾彩满格”全覆盖服务增能包（示例）",
                    "provides": f"{name}：专人对接，线上申请，线下服务（示例）",
                    "resources": "党群服务站点、镇属服务中心及共建单位资源（示例）",
                    "department": department, "partner": partner,
                    "targets": "、".join(str(t.label) for t in targets),
                    "how_to_apply": "在手机上填写申请，或到就近党群服务站点办理",
                    "asks_for": "请说明单位或本人的具体需求、期望时间",
                    "response_days": days, "service_days": max(days * 3, 5),
                    "is_active": "是", "is_sample": "是",
                }


def table() -> list[tuple[int, tuple]]:
    """The sample as the rows of a spreadsheet, header first: checked like any import."""
    from .catalogue_io import HEADERS

    fields = list(HEADERS)
    return [(1, tuple(HEADERS.values()))] + [
        (number, tuple(row[f] for f in fields)) for number, row in enumerate(rows(), 2)]


def install(town, *, actor=None):
    """The sample package in `town`, with the invented departments it names (is_sample)."""
    from gridgov.grids.models import Department, DepartmentKind

    from .catalogue_io import check_rows, replace_catalogue

    for name in SAMPLE_DEPARTMENTS:
        Department.objects.get_or_create(town=town, name=name,
                                         defaults={"kind": DepartmentKind.OFFICE,
                                                   "is_sample": True})
    for name, kind in ((MARKET, DepartmentKind.MARKET), (ENFORCEMENT, DepartmentKind.ENFORCEMENT)):
        Department.objects.get_or_create(town=town, name=name, defaults={"kind": kind})
    return replace_catalogue(check_rows(table(), town), town=town, actor=actor)
