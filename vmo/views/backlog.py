"""The VMO backlog and planning events at `/vmo/`."""

from django.shortcuts import render


def vmo_home(request):
    return render(request, "vmo/home.html", {})
