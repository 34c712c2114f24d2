from django.shortcuts import render

from gridgov.core import navigation
from gridgov.core.scope import roles_of


def home(request):
    todos = navigation.todos_for(request.user, roles_of(request.user))
    return render(request, "core/home.html", {"todos": todos})
