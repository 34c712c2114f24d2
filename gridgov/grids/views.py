from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def grid_map(request):
    return render(request, "grids/map.html")
