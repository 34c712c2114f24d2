"""Case pages: resident.py (report, track, rate), workbench.py (queues, bulk dispatch),
detail.py (case page and its actions), casemap.py (map of open cases). Each view looks a case up
inside what the user may see, calls one action and renders a page or an htmx fragment."""
