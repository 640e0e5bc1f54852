from django.shortcuts import render


def funding_home(request):
    return render(request, "funding/home.html", {})
