"""新泾镇 as the demo shows it.

What is real comes from two issues of the town's paper, 新泾报 (2025-07 and 2025-12): the town, 绿八居民区 and 新渔东路居民区, 第四网格 and its
副网格长兼联络员 夏秀宾, 淞虹路地铁站, 西郊金融园, 新泾综合行政执法队, 新泾市场监管所 (the paper says
新泾市场所), and the names of the five grid volunteer projects. Everything else is invented to make
the demo usable and is loaded with is_sample=True (shown with a 示例 badge).

Codes are not from the texts: 310105 is 长宁区's real division code; the town code 102 is the one
the national statistical division code (310105102) is believed to use, not checked against an
official list; community codes 001-006 are invented. Coordinates of real places are approximate
and the grid boundaries are a sketch (see layout.py).

Named in the texts but not loaded here, because they are not grid or handling-department records:
- town leaders 卞晓清 (党委书记), 蒋丽萍 (镇长), 陈大雨 (副镇长); community party secretaries 刘观锡
  (绿八) and 陈东易 (新渔东路); 江志平 (淞虹路地铁站站长), 柏伟豪 (market supervision officer), 滕艳琴
  (deputy head of the enforcement team): their posts belong to later parts (party, assemblies);
- 市农委执法总队, 地铁2号线党总支, 虹桥临空经济园区: member units of the regional party-building
  joint conference (S10), not handling departments; a later issue registers them.
"""

from dataclasses import dataclass

from gridgov.accounts.roles import Role
from gridgov.core.scope import ScopeKind
from gridgov.grids.models import DepartmentKind, PlaceKind, StaffLine, StaffPosition

TOWN = {
    "name": "新泾镇",
    "district": "长宁区",
    "district_code": "310105",  # 长宁区
    "code": "102",  # believed real (statistical code 310105102), unverified: treat as sample
    "longitude": 121.36,
    "latitude": 31.21,
    "is_sample": False,
}

# The sketch: 4 x 4 grids over a box of about 4 km (east-west) by 3 km (north-south).
OUTLINE_WIDTH_M, OUTLINE_HEIGHT_M = 4000, 3000
ROWS, COLS = 4, 4


@dataclass(frozen=True)
class CommunitySeed:
    code: str
    name: str
    color: str
    is_sample: bool


COMMUNITIES = [
    CommunitySeed("001", "绿八居民区", "#2563eb", False),
    CommunitySeed("002", "新渔东路居民区", "#16a34a", False),
    CommunitySeed("003", "淞虹居民区", "#d97706", True),
    CommunitySeed("004", "泾西居民区", "#9333ea", True),
    CommunitySeed("005", "天山西居民区", "#dc2626", True),
    CommunitySeed("006", "泾南居民区", "#0891b2", True),
]

# The community (code) of each cell of the sketch, northern row first. Grids are numbered in
# this reading order, so 第四网格 is the north-east cell.
COMMUNITY_MAP = [
    ["001", "001", "002", "002"],
    ["001", "003", "003", "002"],
    ["004", "003", "005", "005"],
    ["004", "006", "006", "005"],
]

REAL_GRID_NUMBERS = {4}
# The five "一格一最" projects are real (2025-07 issue); which grid runs which is invented, and
# kept off the real 第四网格.
SIGNATURE_SERVICES = {1: "泾彩悦读", 6: "健康守护", 9: "乐颐空间", 12: "尚廉新泾", 15: "文明保畅"}

_NUMERALS = "一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1-99 in Chinese numerals: 4 → 四, 10 → 十, 14 → 十四, 20 → 二十."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens - 1] + "十")
    return head + (_NUMERALS[units - 1] if units else "")


def grid_name(number: int) -> str:
    return f"第{chinese_number(number)}网格"


@dataclass(frozen=True)
class PlaceSeed:
    kind: str
    name: str
    address: str
    longitude: float
    latitude: float
    is_sample: bool


REAL_PLACES = [
    PlaceSeed(PlaceKind.METRO, "淞虹路地铁站", "天山西路淞虹路", 121.3597, 31.2196, False),
    # Real name (the July 2025 event was held there); its position here is approximate.
    PlaceSeed(PlaceKind.BUILDING, "西郊金融园", "", 121.3672, 31.2143, False),
    # Not in the texts (their 新泾市场所 is the market supervision office): invented market.
    PlaceSeed(PlaceKind.MARKET, "新泾市场", "泾华路88号", 121.3525, 31.2052, True),
]

# Invented places: one compound in every grid (by grid number) and one more place whose kind
# turns through SECOND_PLACE_KINDS, named from SECOND_PLACES in turn; all is_sample.
COMPOUNDS = [
    "泾华苑", "虹泾公寓", "淞园小区", "绿泾新村", "泾秀苑", "天山西苑", "泾湾花园", "新泾家园",
    "虹景苑", "临空雅苑", "泾北小区", "淞泾公寓", "汇泾苑", "清泾苑", "泾悦花园", "泾南新村",
]
SECOND_PLACES = {
    PlaceKind.BUILDING: ["泾汇大厦", "淞虹商务楼", "新泾科创中心", "泾泰大厦"],
    PlaceKind.SHOP_STREET: ["泾华路商业街", "淞虹路美食街", "新泾生活街区", "泾西路商铺", "泾南路便民街"],
    PlaceKind.ENTERPRISE: ["泾诚物流有限公司", "虹泾科技有限公司", "新泾集体资产经营公司"],
    PlaceKind.SCHOOL: ["泾虹幼儿园", "淞虹实验小学"],
    PlaceKind.SERVICE_POINT: ["新就业群体暖心驿站", "楼门口服务点"],
}
SECOND_PLACE_KINDS = [
    PlaceKind.BUILDING, PlaceKind.SHOP_STREET, PlaceKind.ENTERPRISE, PlaceKind.BUILDING,
    PlaceKind.SCHOOL, PlaceKind.SHOP_STREET, PlaceKind.SERVICE_POINT, PlaceKind.BUILDING,
    PlaceKind.ENTERPRISE, PlaceKind.SHOP_STREET, PlaceKind.BUILDING, PlaceKind.SERVICE_POINT,
    PlaceKind.SHOP_STREET, PlaceKind.ENTERPRISE, PlaceKind.SCHOOL, PlaceKind.SHOP_STREET,
]
ROADS = ["泾华路", "淞虹路", "天山西路", "新渔东路", "泾西路", "泾南路"]
# The demo base map (gridgov/grids/demo.py) draws these streets along the sketch's inner lattice
# lines, the standard addresses numbered along them. 淞虹路 and 新渔东路 are named in the paper
# (淞虹路地铁站, 新渔东路居民区), 天山西路 is the real road at the station; where they run, the
# other three names and every number are invented (is_sample).
EAST_WEST_ROADS = ["天山西路", "新渔东路", "泾南路"]  # the inner lines from the north
NORTH_SOUTH_ROADS = ["泾西路", "淞虹路", "泾华路"]  # the inner lines from the west


@dataclass(frozen=True)
class DepartmentSeed:
    name: str
    kind: str
    is_sample: bool
    community_code: str | None = None


DEPARTMENTS = [
    DepartmentSeed("新泾综合行政执法队", DepartmentKind.ENFORCEMENT, False),
    DepartmentSeed("新泾市场监管所", DepartmentKind.MARKET, False),
    DepartmentSeed("新泾派出所", DepartmentKind.POLICE, True),
    DepartmentSeed("新泾镇城运中心", DepartmentKind.OPERATIONS, True),
    DepartmentSeed("泾华物业服务中心", DepartmentKind.PROPERTY, True, "003"),
    DepartmentSeed("绿八小区物业管理处", DepartmentKind.PROPERTY, True, "001"),
]
# Besides these, every community has its 居委会 (real where the community is).


def neighbourhood_committee_name(community_name: str) -> str:
    return f"{community_name}居委会"


@dataclass(frozen=True)
class PostSeed:
    position: str
    line: str
    also_liaison: bool = False


# Every grid's team: one member from each line merged by "多格合一".
TEAM = [
    PostSeed(StaffPosition.LEADER, StaffLine.PARTY),
    PostSeed(StaffPosition.DEPUTY, StaffLine.SAFETY),
    PostSeed(StaffPosition.LIAISON, StaffLine.SERVICE),
    PostSeed(StaffPosition.MEMBER, StaffLine.CITY),
]
# 第四网格 as the paper names it: 夏秀宾 is its 副网格长兼联络员 (the line she came from is not said;
# 服务 is a guess). The rest of its team is invented, and the demo 网格员 account is a member.
GRID_FOUR_TEAM = [
    PostSeed(StaffPosition.LEADER, StaffLine.PARTY),
    PostSeed(StaffPosition.DEPUTY, StaffLine.SERVICE, also_liaison=True),
    PostSeed(StaffPosition.MEMBER, StaffLine.SAFETY),
]
REAL_STAFF = {(4, StaffPosition.DEPUTY): "夏秀宾"}
WORK_UNITS = {
    StaffLine.PARTY: "居民区党总支",
    StaffLine.SAFETY: "新泾派出所",
    StaffLine.CITY: "新泾综合行政执法队",
    StaffLine.SERVICE: "居委会",
}
# Invented names for invented staff, drawn with a seeded generator.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN_NAMES = ["建华", "秀英", "志强", "丽华", "伟", "敏", "海燕", "国平", "玉兰", "晓东",
               "春梅", "立新", "桂芳", "振华", "静", "红霞", "卫东", "燕", "明", "文彬"]


def staff_phone(grid_number: int, slot: int) -> str:
    """Placeholder numbers 13800100101…: real staff's numbers are not public."""
    return f"1380010{grid_number:02d}{slot:02d}"


DEMO_PASSWORD = "xinjing-demo-2025"  # nosec B105  # the demo accounts' published password


@dataclass(frozen=True)
class DemoAccountSeed:
    role: str | None  # None: a resident, who holds no role
    phone: str
    name: str
    scope_kind: str | None = None
    scope: str | int | None = None  # a grid number, a department or community name; the town by default


DEMO_ACCOUNTS = [
    DemoAccountSeed(Role.GRID_STAFF, "13800000001", "周晓燕", ScopeKind.GRID, 4),
    DemoAccountSeed(Role.HANDLER, "13800000002", "孙建平", ScopeKind.DEPARTMENT, "新泾综合行政执法队"),
    DemoAccountSeed(Role.OPERATOR, "13800000003", "吴佳慧", ScopeKind.TOWN),
    DemoAccountSeed(Role.LEADER, "13800000004", "郑国强", ScopeKind.TOWN),
    # A deputy reads the cases of a constituency (a community assignment; a town-wide one reads
    # none): 新渔东路居民区, where 第四网格 lies.
    DemoAccountSeed(Role.DEPUTY, "13800000005", "冯丽娟", ScopeKind.COMMUNITY, "新渔东路居民区"),
    DemoAccountSeed(Role.PARTY_AFFAIRS, "13800000006", "何志明", ScopeKind.TOWN),
    DemoAccountSeed(Role.ADMIN, "13800000007", "林海涛", ScopeKind.TOWN),
    DemoAccountSeed(None, "13800000008", "钱小红"),
]
