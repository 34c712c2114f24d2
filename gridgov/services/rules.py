"""Who does what in the service package, the visiting team and the coverage register.

The role sets live here rather than in accounts.roles because only this app names them; the
roles themselves are the platform's (gridgov.accounts.roles.Role). Every view and action checks
them on the server, and every list starts from the model's visible_to().
"""

from gridgov.accounts.roles import Role

# The provider's queue: a department's handlers work their own department's applications; the
# operations centre works those of items with no department (a partner unit provides them) and
# reads the town's; leaders and administrators read.
PROVIDERS = frozenset({Role.HANDLER, Role.OPERATOR, Role.LEADER, Role.ADMIN})
APPLICATION_WORKERS = frozenset({Role.HANDLER, Role.OPERATOR})
# The visiting team ("鑫"能量走访服务团队): grid staff and party-affairs staff visit and record;
# the operations centre and leaders plan and follow up too.
VISIT_TEAM = frozenset({Role.GRID_STAFF, Role.PARTY_AFFAIRS, Role.OPERATOR, Role.LEADER})
VISIT_PLANNERS = frozenset({Role.PARTY_AFFAIRS, Role.OPERATOR, Role.LEADER})
# The new-sector register (两个覆盖): kept by party-affairs staff, read by leaders and the team.
COVERAGE_READERS = frozenset({Role.PARTY_AFFAIRS, Role.LEADER, Role.OPERATOR, Role.GRID_STAFF,
                              Role.ADMIN})
COVERAGE_EDITORS = frozenset({Role.PARTY_AFFAIRS, Role.ADMIN})
# Who replaces the town's catalogue (Excel import) and exports it.
CATALOGUE_EDITORS = frozenset({Role.PARTY_AFFAIRS, Role.ADMIN})
