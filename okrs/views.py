from django.shortcuts import render


def okrs_home(request):
    return render(request, "okrs/home.html", {})
